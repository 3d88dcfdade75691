// End to end: the official @kubernetes/client-node creates, lists, watches and patches a ConfigMap on `edgeplane dev`.
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  c = await startCluster();
  kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

describe('@kubernetes/client-node', () => {
  it('loads the kubeconfig with its embedded CA and token', () => {
    expect(kc.getCurrentCluster()?.server).toBe(c.url);
    expect(kc.getCurrentCluster()?.caData).toBeTruthy();
    expect(kc.getCurrentUser()?.token).toBe(c.token);
  });

  it('creates and lists a ConfigMap', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'from-node', labels: { client: 'node' } },
        data: { colour: 'blue' },
      },
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.resourceVersion).toBeTruthy();
    expect(created.data).toEqual({ colour: 'blue' });

    const list = await core.listNamespacedConfigMap({
      namespace: 'default',
      labelSelector: 'client=node',
    });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['from-node']);
    expect(list.metadata?.resourceVersion).toBeTruthy();
  });

  it('watches a ConfigMap and sees a merge patch made by the same client', async () => {
    const list = await core.listNamespacedConfigMap({
      namespace: 'default',
      fieldSelector: 'metadata.name=from-node',
    });
    const events: { type: string; obj: V1ConfigMap }[] = [];
    let ended: unknown = 'open';
    const watch = new Watch(kc);
    const abort = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: list.metadata!.resourceVersion, fieldSelector: 'metadata.name=from-node' },
      (type: string, obj: V1ConfigMap) => events.push({ type, obj }),
      (err: unknown) => (ended = err ?? null),
    );
    try {
      const patched = await core.patchNamespacedConfigMap(
        { name: 'from-node', namespace: 'default', body: { data: { colour: 'green' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(patched.data).toEqual({ colour: 'green' });

      const until = Date.now() + 10_000;
      while (!events.some((e) => e.type === 'MODIFIED') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      expect(ended, 'the watch ended early').toBe('open');
      expect(events.map((e) => e.type)).toEqual(['MODIFIED']);
      expect(events[0].obj).toMatchObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'from-node' },
        data: { colour: 'green' },
      });
      expect(events[0].obj.metadata?.resourceVersion).toBe(patched.metadata?.resourceVersion);
    } finally {
      abort.abort();
    }
  });

  it('reads the patched ConfigMap back and deletes it', async () => {
    const got = await core.readNamespacedConfigMap({ name: 'from-node', namespace: 'default' });
    expect(got.data).toEqual({ colour: 'green' });
    await core.deleteNamespacedConfigMap({ name: 'from-node', namespace: 'default' });
    await expect(
      core.readNamespacedConfigMap({ name: 'from-node', namespace: 'default' }),
    ).rejects.toMatchObject({ code: 404 });
  });
});
