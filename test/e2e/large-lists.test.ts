// End to end: 6,000 Leases over 4 partitions (1,500 each, more than a shard page) listed by kubectl
// and @kubernetes/client-node on `edgeplane dev`: every one, with and without chunking.
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;
const ns = 'many-leases';
const count = 6000;
let names: string[];

beforeAll(async () => {
  c = await startCluster({ partitions: 4 });
  const res = await c.fetch('/api/v1/namespaces', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
  });
  expect(res.status).toBe(201);
  names = Array.from({ length: count }, () => `lease-${crypto.randomUUID()}`).sort();
  for (let i = 0; i < names.length; i += 64) {
    await Promise.all(
      names.slice(i, i + 64).map(async (name) => {
        const r = await c.fetch(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
          method: 'POST',
          body: JSON.stringify({
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name },
            spec: {},
          }),
        });
        if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${await r.text()}`);
      }),
    );
  }
}, 600_000);

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

describe('6,000 Leases over 4 partitions', () => {
  it('kubectl lists every one without chunks and in chunks of 500 and 2,500', async () => {
    for (const chunk of ['0', '500', '2500']) {
      const res = await c.kubectl(
        ['get', 'leases', '-n', ns, '-o', 'name', `--chunk-size=${chunk}`],
        { timeoutMs: 120_000 },
      );
      expect(res.code, res.stderr).toBe(0);
      const got = res.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace('lease.coordination.k8s.io/', ''));
      expect(got).toEqual(names);
    }
  });

  it('@kubernetes/client-node lists every one with no limit and gets no continue token', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const list = await kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: ns });
    expect(list.items.map((l) => l.metadata?.name)).toEqual(names);
    expect(list.metadata?._continue).toBeUndefined();
  });
});
