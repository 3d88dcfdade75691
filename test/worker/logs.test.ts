// pods/log through the API: shipped batches, tail, timestamps, previous instance, follow until the end.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { testEnv } from './helpers';
import { FOLLOWER_MAX_QUEUED, MAX_BYTES_PER_NODE } from '../../src/storage/log-store';

const auth = () => ({ Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` });

async function ship(
  ns: string,
  pod: string,
  uid: string,
  container: string,
  instance: number,
  lines: string[],
) {
  const res = await SELF.fetch(
    `https://edgeplane.test/edgeplane/v1/namespaces/${ns}/pods/${pod}/logs?uid=${uid}`,
    {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ container, instance, lines }),
    },
  );
  expect(res.status).toBe(204);
}

const get = (ns: string, pod: string, q = '') =>
  SELF.fetch(`https://edgeplane.test/api/v1/namespaces/${ns}/pods/${pod}/log${q}`, {
    headers: auth(),
  });

describe('pods/log', () => {
  it('serves shipped lines with tailLines, timestamps and --previous', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const pod = await c.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: ns },
        spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'x' }] },
      },
      { namespace: ns },
    );
    const uid = (pod.metadata as { uid?: string }).uid!;
    await ship(ns, 'p', uid, 'app', 0, ['2026-11-28T10:00:00.000000000Z first run']);
    await ship(ns, 'p', uid, 'app', 1, [
      '2026-11-28T10:01:00.000000000Z one',
      '2026-11-28T10:01:01.000000000Z two',
      '2026-11-28T10:01:02.000000000Z three',
    ]);
    expect(await (await get(ns, 'p')).text()).toBe('one\ntwo\nthree\n');
    expect(await (await get(ns, 'p', '?tailLines=1')).text()).toBe('three\n');
    expect(await (await get(ns, 'p', '?tailLines=1&timestamps=true')).text()).toBe(
      '2026-11-28T10:01:02.000000000Z three\n',
    );
    expect(await (await get(ns, 'p', '?previous=true')).text()).toBe('first run\n');
    const bad = await get(ns, 'p', '?container=nope');
    expect(bad.status).toBe(400);
  });

  it('follows new lines and ends when the pod is gone', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const pod = await c.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'f', namespace: ns },
        spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'x' }] },
      },
      { namespace: ns },
    );
    const uid = (pod.metadata as { uid?: string }).uid!;
    await ship(ns, 'f', uid, 'app', 0, ['2026-11-28T10:00:00.000000000Z before']);
    const res = await get(ns, 'f', '?follow=true');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe('before\n');
    await ship(ns, 'f', uid, 'app', 0, ['2026-11-28T10:00:01.000000000Z after']);
    expect((await reader.read()).value).toBe('after\n');
    await SELF.fetch(
      `https://edgeplane.test/edgeplane/v1/namespaces/${ns}/pods/f/logs/end?uid=${uid}`,
      { method: 'POST', headers: auth() },
    );
    expect((await reader.read()).done).toBe(true);
  });
});

const logs = (node: string) => testEnv.LOGS.get(testEnv.LOGS.idFromName(`node/${node}`));
const stamp = (i: number) => `2026-11-28T10:00:00.${String(i).padStart(9, '0')}Z`;

async function podOn(
  ns: string,
  name: string,
  node: string,
  containers = ['app'],
): Promise<string> {
  const pod = await apiClient().create(
    'pods',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: 'x' })) },
    },
    { namespace: ns },
  );
  return (pod.metadata as { uid?: string }).uid!;
}

describe('log storage is cleaned up and bounded', () => {
  it('refuses a container the pod spec does not have with a 400 naming the field, and stores nothing', async () => {
    const ns = await freshNamespace(apiClient());
    const node = `n-${ns}`;
    const uid = await podOn(ns, 'p', node, ['app', 'sidecar']);
    const res = await SELF.fetch(
      `https://edgeplane.test/edgeplane/v1/namespaces/${ns}/pods/p/logs?uid=${uid}`,
      {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify({ container: 'nope', instance: 0, lines: [`${stamp(1)} hello`] }),
      },
    );
    expect(res.status).toBe(400);
    const status = (await res.json()) as {
      kind: string;
      reason: string;
      message: string;
      details: { causes: { field: string }[] };
    };
    expect(status).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(status.message).toContain('"nope"');
    expect(status.details.causes.map((c) => c.field)).toEqual(['container']);
    expect((await logs(node).usage(uid)).chunks).toBe(0);
    // The pod's real containers are accepted.
    await ship(ns, 'p', uid, 'sidecar', 0, [`${stamp(2)} fine`]);
    expect(await (await get(ns, 'p', '?container=sidecar')).text()).toBe('fine\n');
  });

  it("deletes a pod's logs when the pod is deleted, and refuses batches still in flight for it", async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const node = `n-${ns}`;
    const uid = await podOn(ns, 'p', node);
    const keep = await podOn(ns, 'q', node);
    await ship(ns, 'p', uid, 'app', 0, [`${stamp(1)} one`, `${stamp(2)} two`]);
    await ship(ns, 'p', uid, 'app', 1, [`${stamp(3)} three`]);
    await ship(ns, 'q', keep, 'app', 0, [`${stamp(4)} stays`]);
    expect((await logs(node).usage(uid)).chunks).toBe(2);
    await c.delete('pods', 'p', { namespace: ns, gracePeriodSeconds: 0 });
    const usage = await logs(node).usage(uid);
    expect(usage.chunks).toBe(0);
    expect(usage.pods[uid]).toBeUndefined();
    expect(usage.bytes).toBe(usage.pods[keep]);
    // A batch that passed the pod check before the delete is dropped, not stored for nobody.
    await logs(node).append(uid, 'app', 1, [`${stamp(5)} late`]);
    expect((await logs(node).usage(uid)).chunks).toBe(0);
    expect(await (await get(ns, 'q')).text()).toBe('stays\n');
  });

  it("bounds a node's log storage: past 64 MiB the biggest instances lose their oldest lines", async () => {
    const ns = await freshNamespace(apiClient());
    const node = `n-${ns}`;
    const line = 'y'.repeat(1000);
    const pods = 70;
    const uids: string[] = [];
    for (let p = 0; p < pods; p++) uids.push(await podOn(ns, `p${p}`, node));
    // 70 pods, just under 1 MiB each (their per-instance bound): about 70 MiB for one node.
    let shipped = 0;
    for (let p = 0; p < pods; p++) {
      for (let part = 0; part < 3; part++) {
        const lines = Array.from(
          { length: 330 },
          (_, i) => `${stamp(part * 330 + i)} ${part * 330 + i} ${line}`,
        );
        shipped += lines.join('\n').length;
        await ship(ns, `p${p}`, uids[p], 'app', 0, lines);
      }
    }
    expect(shipped).toBeGreaterThan(MAX_BYTES_PER_NODE);
    const usage = await logs(node).usage();
    console.log(
      `node log storage: ${usage.bytes} bytes kept of ${shipped} shipped (bound ${MAX_BYTES_PER_NODE})`,
    );
    expect(usage.bytes).toBeLessThanOrEqual(MAX_BYTES_PER_NODE);
    expect(Object.values(usage.pods).reduce((a, b) => a + b, 0)).toBe(usage.bytes);
    // Every pod keeps its newest lines.
    const last = await (await get(ns, 'p0', '?tailLines=1')).text();
    expect(last.startsWith('989 ')).toBe(true);
    const newest = await (await get(ns, `p${pods - 1}`, '?tailLines=1')).text();
    expect(newest.startsWith('989 ')).toBe(true);
  });

  it('cuts a stalled logs -f reader while a healthy one beside it gets every line', async () => {
    const ns = await freshNamespace(apiClient());
    const node = `n-${ns}`;
    const uid = await podOn(ns, 'f', node);
    await ship(ns, 'f', uid, 'app', 0, [`${stamp(0)} start`]);
    const stalled = await get(ns, 'f', '?follow=true');
    const healthy = await get(ns, 'f', '?follow=true');
    const total = 20_000;
    let seen = 0;
    const reading = (async () => {
      const reader = healthy.body!.pipeThrough(new TextDecoderStream()).getReader();
      while (seen < total + 1) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value.split('\n').length - 1;
      }
      await reader.cancel();
    })();
    const text = 'z'.repeat(100);
    for (let b = 0; b < total / 500; b++) {
      await ship(
        ns,
        'f',
        uid,
        'app',
        0,
        Array.from({ length: 500 }, (_, i) => `${stamp(b * 500 + i + 1)} ${text}`),
      );
    }
    await reading;
    expect(seen).toBe(total + 1);
    // The stalled reader was cut: it gets what was already on its way, then the end.
    const reader = stalled.body!.getReader();
    let bytes = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > total * 101) break;
    }
    console.log(`stalled logs -f reader: cut after ${bytes} bytes of ${total * 101}`);
    expect(bytes).toBeLessThan(FOLLOWER_MAX_QUEUED + 512 * 1024);
  });
});
