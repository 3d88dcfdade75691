// End to end: an @kubernetes/client-node informer on a partitioned kind writes from its cache (PUT,
// merge patch carrying the cached resourceVersion, DELETE with a precondition) on `edgeplane dev`.
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Lease,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;
let kc: KubeConfig;
let coord: CoordinationV1Api;
const ns = 'informer-writes';

beforeAll(async () => {
  c = await startCluster({ partitions: 4 });
  kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  coord = kc.makeApiClient(CoordinationV1Api);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

async function until<T>(what: string, fn: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('an informer writing from its cache (4 partitions)', () => {
  it('replaces, patches and deletes a Lease with the resourceVersion its watch delivered', async () => {
    const informer = makeInformer<V1Lease>(
      kc,
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
      () => coord.listNamespacedLease({ namespace: ns }),
    );
    await informer.start();
    try {
      await coord.createNamespacedLease({
        namespace: ns,
        body: { metadata: { name: 'l' }, spec: { holderIdentity: 'a' } },
      });
      // Seen through the watch: the cached copy carries the watch event's resourceVersion.
      const added = await until('the ADDED event', () => informer.get('l', ns));
      expect(added.metadata?.resourceVersion).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

      const replaced = await coord.replaceNamespacedLease({
        name: 'l',
        namespace: ns,
        body: { ...added, spec: { holderIdentity: 'b' } },
      });
      expect(replaced.spec?.holderIdentity).toBe('b');

      const updated = await until('the MODIFIED event', () => {
        const o = informer.get('l', ns);
        return o?.spec?.holderIdentity === 'b' ? o : undefined;
      });
      const patched = await coord.patchNamespacedLease(
        {
          name: 'l',
          namespace: ns,
          body: {
            metadata: { resourceVersion: updated.metadata!.resourceVersion },
            spec: { holderIdentity: 'c' },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(patched.spec?.holderIdentity).toBe('c');
      // The cached copy is stale now: the same write from it is a conflict.
      await expect(
        coord.replaceNamespacedLease({
          name: 'l',
          namespace: ns,
          body: { ...updated, spec: { holderIdentity: 'x' } },
        }),
      ).rejects.toMatchObject({ code: 409 });

      const latest = await until('the second MODIFIED event', () => {
        const o = informer.get('l', ns);
        return o?.spec?.holderIdentity === 'c' ? o : undefined;
      });
      await coord.deleteNamespacedLease({
        name: 'l',
        namespace: ns,
        body: { preconditions: { resourceVersion: latest.metadata!.resourceVersion } },
      });
      await until('the DELETED event', () => (informer.get('l', ns) ? undefined : true));
    } finally {
      await informer.stop();
    }
  });
});
