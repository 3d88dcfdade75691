// The agent waits out a busy API: node registration and lease renewal retry transient failures
// (network errors, timeouts, 5xx, 429) and give up at once on answers that will not change.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import { ApiStatusError, statusFromResponse } from '../../src/client/errors';
import { LeaseRenewer } from '../../src/agent/lease';
import { registerNode } from '../../src/agent/node-reporter';
import type { MachineFacts } from '../../src/agent/machine';
import { isTransient } from '../../src/agent/transient';

const status = (code: number) => new ApiStatusError(statusFromResponse(code, ''));
const facts: MachineFacts = {
  cpus: 2,
  memoryBytes: 4 << 30,
  kernelVersion: '6.1',
  osImage: 'test',
  architecture: 'amd64',
  machineID: 'm',
  bootID: 'b',
  systemUUID: 'u',
};

/** A client whose calls answer from `script` in order (an Error is thrown), then echo their input. */
function scripted(script: (Error | undefined)[], hangs: boolean[] = []) {
  const calls: string[] = [];
  const step = (name: string, obj?: KObject) => {
    calls.push(name);
    const next = script.shift();
    if (next) return Promise.reject(next);
    return Promise.resolve({ ...obj, metadata: { ...obj?.metadata, resourceVersion: '1' } });
  };
  const client = {
    create: (_r: string, o: KObject) => step('create', o),
    update: (_r: string, o: KObject) => step('update', o),
    updateStatus: (_r: string, o: KObject) => step('updateStatus', o),
    get: (_r: string, name: string) => step('get', { metadata: { name } } as KObject),
    // A lease renewal is a PUT through raw (with its deadline's signal).
    raw: async (method: string, _url: string, init: { body: string; signal?: AbortSignal }) => {
      if (hangs.shift())
        return new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => {
            calls.push('update (aborted)');
            reject(init.signal!.reason);
          }),
        );
      const obj = await step(method === 'PUT' ? 'update' : method, JSON.parse(init.body));
      return new Response(JSON.stringify(obj));
    },
  } as unknown as KubeClient;
  return { client, calls };
}

describe('agent against a busy API', () => {
  it('counts network errors, timeouts, 429 and 5xx as transient, and 403, 404, 409, 422 as not', () => {
    expect(isTransient(new Error('socket hang up'))).toBe(true);
    expect(isTransient(status(429))).toBe(true);
    expect(isTransient(status(503))).toBe(true);
    for (const code of [403, 404, 409, 422]) expect(isTransient(status(code))).toBe(false);
  });

  it('keeps registering the node while the API times out or is unavailable, backing off from 100 ms', async () => {
    const { client, calls } = scripted([
      new Error('the API did not answer POST /api/v1/nodes within 60s'),
      status(503),
      new Error('read ECONNRESET'),
    ]);
    const waits: number[] = [];
    const node = await registerNode(
      client,
      { name: 'n1', address: '127.0.0.2', labels: {}, runtimeVersion: 'fake://1' },
      facts,
      () => undefined,
      async (ms) => void waits.push(ms),
    );
    expect(node.metadata.name).toBe('n1');
    expect(calls).toEqual(['create', 'create', 'create', 'create']);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('fails registration at once when the API refuses it', async () => {
    const { client } = scripted([status(403)]);
    await expect(
      registerNode(
        client,
        { name: 'n1', address: '127.0.0.2', labels: {}, runtimeVersion: 'fake://1' },
        facts,
        () => undefined,
        async () => undefined,
      ),
    ).rejects.toThrow();
  });

  it('retries a lease renewal whose request was dropped, within the same renewal', async () => {
    const { client, calls } = scripted([
      undefined, // get (ensure)
      undefined, // update (ensure)
      new Error('socket hang up'),
    ]);
    const lease = new LeaseRenewer({
      client,
      node: { metadata: { name: 'n1', uid: 'u1' } } as never,
      log: () => undefined,
    });
    await lease.renew();
    await lease.renew();
    expect(calls).toEqual(['get', 'update', 'update', 'update']);
    expect(lease.lastRenewed).toBeGreaterThan(0);
  });

  it('aborts a lease request that hangs past the request timeout and tries again', async () => {
    // get + update (ensure), then one renewal PUT that hangs, then one that answers.
    const { client, calls } = scripted([undefined, undefined], [true]);
    const lease = new LeaseRenewer({
      client,
      node: { metadata: { name: 'n1' } } as never,
      log: () => undefined,
      requestTimeoutMs: 50,
    });
    await lease.renew();
    await lease.renew();
    expect(calls).toEqual(['get', 'update', 'update (aborted)', 'update']);
  });

  it('gives a renewal up after 5 tries, and at once on a refusal', async () => {
    const dropped = scripted(Array.from({ length: 5 }, () => new Error('read ECONNRESET')));
    const a = new LeaseRenewer({
      client: dropped.client,
      node: { metadata: { name: 'n1' } } as never,
      log: () => undefined,
    });
    await expect(a.renew()).rejects.toThrow('ECONNRESET');
    expect(dropped.calls).toHaveLength(5);
    const refused = scripted([status(403)]);
    const b = new LeaseRenewer({
      client: refused.client,
      node: { metadata: { name: 'n1' } } as never,
      log: () => undefined,
    });
    await expect(b.renew()).rejects.toThrow();
    expect(refused.calls).toHaveLength(1);
  });
});

describe('an untrusted certificate is not transient', () => {
  it('gives up at once on a TLS verification failure, however it is wrapped', () => {
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(isTransient(tls)).toBe(false);
    expect(isTransient(new TypeError('fetch failed', { cause: tls }))).toBe(false);
    expect(
      isTransient(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })),
    ).toBe(false);
    expect(
      isTransient(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
  });
});
