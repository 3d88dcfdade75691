// metrics.k8s.io/v1beta1 from agents' reports: ingest, NodeMetrics and PodMetrics, selectors,
// discovery, staleness and the batched writes of the MetricsShards.
import { SELF, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { NodeUsage } from '../../src/api/metrics';
import type { MetricsShard } from '../../src/server/metrics/shard';
import { testEnv } from './helpers';
import { apiClient, freshNamespace } from './api';
import { keyedHarness } from './controller-harness';
import { clusterRoleAggregationController } from '../../workers/controllers/clusterrole-aggregation';

const BASE = 'https://edgeplane.test';

function call(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${testEnv.ADMIN_TOKEN}`);
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

function report(nodes: NodeUsage[]) {
  return call('/edgeplane/v1/metrics', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nodes }),
  });
}

const sample = (node: string, ns: string, extra: Partial<NodeUsage> = {}): NodeUsage => ({
  node,
  labels: { 'kubernetes.io/hostname': node },
  timestamp: Date.now(),
  windowSeconds: 15,
  cpu: 1.5e9,
  memory: 512 * 2 ** 20,
  pods: [
    {
      namespace: ns,
      name: 'web-1',
      uid: `${node}-u1`,
      labels: { app: 'web' },
      containers: [
        { name: 'app', cpu: 250e6, memory: 200 * 2 ** 20 },
        { name: 'side', cpu: 1e6, memory: 2 ** 20 },
      ],
    },
    { namespace: ns, name: 'db-1', uid: `${node}-u2`, labels: { app: 'db' }, containers: [] },
  ],
  ...extra,
});

describe('metrics.k8s.io', () => {
  it('serves NodeMetrics and PodMetrics from a report, in metrics-server units', async () => {
    const ns = `m${Date.now().toString(36)}`;
    expect((await report([sample('mnode-a', ns), sample('mnode-b', `${ns}x`)])).status).toBe(204);

    const node = await (await call('/apis/metrics.k8s.io/v1beta1/nodes/mnode-a')).json<any>();
    expect(node).toMatchObject({
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'mnode-a', labels: { 'kubernetes.io/hostname': 'mnode-a' } },
      window: '15s',
      usage: { cpu: '1500000000n', memory: '524288Ki' },
    });
    const nodes = await (
      await call(
        '/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=kubernetes.io%2Fhostname%3Dmnode-b',
      )
    ).json<any>();
    expect(nodes.kind).toBe('NodeMetricsList');
    expect(nodes.items.map((n: any) => n.metadata.name)).toEqual(['mnode-b']);

    const pods = await (
      await call(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods?labelSelector=app%3Dweb`)
    ).json<any>();
    expect(pods.items).toHaveLength(1);
    expect(pods.items[0]).toMatchObject({
      kind: 'PodMetrics',
      metadata: { name: 'web-1', namespace: ns, labels: { app: 'web' } },
      containers: [
        { name: 'app', usage: { cpu: '250000000n', memory: '204800Ki' } },
        { name: 'side', usage: { cpu: '1000000n', memory: '1024Ki' } },
      ],
    });
    const all = await (await call('/apis/metrics.k8s.io/v1beta1/pods')).json<any>();
    const mine = all.items.filter((p: any) => p.metadata.namespace.startsWith(ns));
    expect(mine.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      `${ns}/db-1`,
      `${ns}/web-1`,
      `${ns}x/db-1`,
      `${ns}x/web-1`,
    ]);
  });

  it('answers metrics-server NotFound wording, refuses writes, and a malformed report with 400', async () => {
    const missing = await call('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
    expect(missing.status).toBe(404);
    expect((await missing.json<any>()).message).toBe(
      'podmetrics.metrics.k8s.io "default/nope" not found',
    );
    expect((await call('/apis/metrics.k8s.io/v1beta1/nodes', { method: 'POST' })).status).toBe(405);
    const bad = await report([{ ...sample('mnode-c', 'x'), cpu: -1 }]);
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).message).toContain('nodes[0]: cpu, memory and timestamp');
    const noAuth = await SELF.fetch(`${BASE}/edgeplane/v1/metrics`, { method: 'POST', body: '{}' });
    expect(noAuth.status).toBe(401);
  });

  it('is listed in legacy and aggregated discovery', async () => {
    const legacy = await (await call('/apis')).json<any>();
    expect(legacy.groups.find((g: any) => g.name === 'metrics.k8s.io')?.preferredVersion).toEqual({
      groupVersion: 'metrics.k8s.io/v1beta1',
      version: 'v1beta1',
    });
    const agg = await (
      await call('/apis', {
        headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
      })
    ).json<any>();
    const group = agg.items.find((g: any) => g.metadata.name === 'metrics.k8s.io');
    expect(group.versions[0].resources.map((r: any) => [r.resource, r.scope, r.verbs])).toEqual([
      ['nodes', 'Cluster', ['get', 'list']],
      ['pods', 'Namespaced', ['get', 'list']],
    ]);
    const list = await (await call('/apis/metrics.k8s.io/v1beta1')).json<any>();
    expect(list.resources.map((r: any) => r.kind)).toEqual(['NodeMetrics', 'PodMetrics']);
  });

  it('writes one row per node per report, in one batch per POST, and forgets silent nodes', async () => {
    const id = testEnv.METRICS.idFromName('metrics#test-rows');
    const stub = testEnv.METRICS.get(id) as DurableObjectStub<MetricsShard>;
    for (let i = 0; i < 5; i++)
      await stub.ingest([sample('rows-a', 'f'), sample('rows-b', 'f'), sample('rows-c', 'f')]);
    // 5 reports of 3 nodes (2 pods, 3 containers each): 15 rows in 5 batches, not one per container.
    expect(await stub.stats()).toMatchObject({
      nodes: 3,
      reports: 15,
      rowsWritten: 15,
      flushes: 5,
    });
    const stored = await runInDurableObject(stub, (_o, state) => state.storage.list());
    expect([...stored.keys()].sort()).toEqual(['n:rows-a', 'n:rows-b', 'n:rows-c']);
    // A node silent for 15 minutes is dropped at the next sweep.
    await runInDurableObject(stub, (o: MetricsShard) => {
      const m = (o as unknown as { samples: Map<string, { receivedAt: number }> }).samples;
      m.get('rows-a')!.receivedAt -= 16 * 60_000;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_o, state) => state.storage.list());
    expect([...left.keys()].sort()).toEqual(['n:rows-b', 'n:rows-c']);
  });
});

describe('metrics.k8s.io and the default roles', () => {
  it('lets a user bound to view read the pod metrics of their namespace, as metrics-server grants', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    expect((await report([sample('mnode-view', ns)])).status).toBe(204);
    // The aggregation controller folds system:aggregated-metrics-reader into view, edit and admin.
    const h = await keyedHarness(ns, () => [clusterRoleAggregationController]);
    await h.settle();
    await c.create(
      'rbac.authorization.k8s.io/v1/rolebindings',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'viewer', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }],
      },
      { namespace: ns },
    );
    const as = (path: string, user: string) =>
      call(path, { headers: { 'Impersonate-User': user } });
    // What `kubectl top pods` asks for.
    const top = await as(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`, 'viewer');
    expect(top.status).toBe(200);
    expect((await top.json<any>()).items.map((p: any) => p.metadata.name).sort()).toEqual([
      'db-1',
      'web-1',
    ]);
    const one = await as(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods/web-1`, 'viewer');
    expect(one.status).toBe(200);
    // A RoleBinding grants nothing outside its namespace, and a stranger nothing at all.
    expect((await as(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}x/pods`, 'viewer')).status).toBe(
      403,
    );
    expect((await as('/apis/metrics.k8s.io/v1beta1/nodes', 'viewer')).status).toBe(403);
    expect(
      (await as(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`, 'stranger')).status,
    ).toBe(403);
    const view = await c.get<any>('rbac.authorization.k8s.io/v1/clusterroles', 'view');
    expect(view.rules).toContainEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: ['metrics.k8s.io'],
      resources: ['pods', 'nodes'],
    });
  });
});
