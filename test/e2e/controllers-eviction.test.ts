// The controllers leader (a real Durable Object under Miniflare) rebuilds its caches after it is evicted.
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../src/cli/runtime';
import { StateDir } from '../../src/cli/state';
import { send, type Target } from '../../bench/http';

let runtime: Runtime;
let target: Target;
let dir: string;

interface Status {
  starts: number;
  caches: Record<string, { objects: number; relists: number }>;
  nextAlarm: number | null;
}

const controllers = async () =>
  (await runtime.mf.getWorker('edgeplane-controllers')) as unknown as {
    status(): Promise<Status>;
    evict(): Promise<void>;
  };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function must(
  method: string,
  route: string,
  body?: unknown,
): Promise<{
  items?: {
    metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { name: string }[] };
  }[];
}> {
  const res = await send(
    target,
    method,
    route,
    body === undefined ? undefined : JSON.stringify(body),
  );
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${route}: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body);
}

async function livePods(): Promise<number> {
  const list = await must('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
  return (list.items ?? []).filter((p) => !p.metadata.deletionTimestamp).length;
}

async function eventually<T>(
  what: string,
  f: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-evict-'));
  const state = new StateDir(dir);
  state.cluster(2);
  const tls = state.tls();
  runtime = await startRuntime({
    host: '127.0.0.1',
    port: 0,
    stateDir: dir,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    vars: { ADMIN_TOKEN: state.adminToken(), PARTITIONS: '2', SERVICE_CIDR: '127.96.0.0/16' },
    schedulerVars: {},
    controllerVars: {},
  });
  target = {
    base: `https://127.0.0.1:${runtime.url.port}`,
    agent: new https.Agent({ ca: tls.certPem, keepAlive: true }),
    headers: { authorization: `Bearer ${state.adminToken()}` },
  };
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  target?.agent.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('controllers leader eviction', () => {
  it('an evicted leader lists again on its next wake and carries on from what the cluster says, making no pod twice', async () => {
    await must('POST', '/apis/apps/v1/namespaces/default/replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      },
    });
    await eventually('3 pods', async () => ((await livePods()) === 3 ? true : undefined));
    const before = await (await controllers()).status();
    expect(before.caches.pods?.relists).toBe(1);

    await (await controllers()).evict();
    // The write wakes the (new) leader: it has no caches, so it lists every kind once and reconciles.
    const rs = (await must(
      'GET',
      '/apis/apps/v1/namespaces/default/replicasets/web',
    )) as unknown as { spec: { replicas: number } };
    rs.spec.replicas = 5;
    await must('PUT', '/apis/apps/v1/namespaces/default/replicasets/web', rs);
    await eventually('5 pods', async () => ((await livePods()) === 5 ? true : undefined));
    const after = await (await controllers()).status();
    // A fresh instance: its counters started again (1 start), with one list of pods.
    expect(after.starts).toBe(1);
    expect(after.caches.pods?.relists).toBe(1);
    expect(after.caches.pods?.objects).toBe(5);
    await sleep(2000);
    expect(await livePods()).toBe(5);
  });
});
