// ReplicationControllers through the replica-set controller, PodDisruptionBudget status from the
// disruption controller, and the eviction API enforcing it (429 while no disruption is allowed).
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/core';
import type { PodDisruptionBudget } from '../../src/api/policy';
import type { ReplicationController } from '../../src/api/replication-controller';
import type { KubeClient } from '../../src/client/client';
import { isTooManyRequests } from '../../src/client/errors';
import { disruptionController } from '../../workers/controllers/disruption';
import { replicationControllerController } from '../../workers/controllers/replicaset';
import { apiClient, freshNamespace } from './api';
import { keyedHarness } from './controller-harness';

const RC = 'replicationcontrollers';
const PDB = 'policy/v1/poddisruptionbudgets';

function rc(ns: string, name: string, replicas: number): ReplicationController {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
    },
  } as ReplicationController;
}

const livePods = async (c: KubeClient, ns: string) =>
  (await c.list<Pod>('pods', { namespace: ns })).items.filter((p) => !p.metadata.deletionTimestamp);

/** Bound, Running and Ready, as a kubelet would report it. */
async function runReady(c: KubeClient, p: Pod) {
  await c.createSubresource(
    'pods',
    p.metadata.name!,
    'binding',
    {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: p.metadata.name },
      target: { kind: 'Node', name: 'n1' },
    },
    { namespace: p.metadata.namespace },
  );
  const cur = await c.get<Pod>('pods', p.metadata.name!, { namespace: p.metadata.namespace });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  cur.status = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
  };
  await c.updateStatus('pods', cur, { namespace: p.metadata.namespace });
}

const evict = (c: KubeClient, ns: string, name: string) =>
  c.createSubresource(
    'pods',
    name,
    'eviction',
    { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } },
    { namespace: ns },
  );

describe('ReplicationController', () => {
  it('creates pods owned by the ReplicationController, reports them, and scales through /scale', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const created = await c.create<ReplicationController>(RC, rc(ns, 'web', 2), { namespace: ns });
    expect(created.spec.selector).toEqual({ app: 'web' });
    const h = await keyedHarness(ns, () => [replicationControllerController()]);
    h.observe(c);
    await h.settle();
    const pods = await livePods(c, ns);
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'v1',
          kind: 'ReplicationController',
          name: 'web',
          uid: created.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    const status = (await c.get<ReplicationController>(RC, 'web', { namespace: ns })).status!;
    expect(status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 });

    const scale = await c.patch(
      RC,
      'web',
      'merge',
      { spec: { replicas: 0 } },
      { namespace: ns, subresource: 'scale' },
    );
    expect(scale).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 0 },
      status: { replicas: 2, selector: 'app=web' },
    });
    // A write the harness sees (the Scale answer names no cached kind), so the pass waits for both.
    await c.patch(
      RC,
      'web',
      'merge',
      { metadata: { annotations: { seen: 'yes' } } },
      { namespace: ns },
    );
    await h.settle();
    expect(await livePods(c, ns)).toHaveLength(0);
    expect((await c.get<ReplicationController>(RC, 'web', { namespace: ns })).status).toMatchObject(
      {
        replicas: 0,
        observedGeneration: 2,
      },
    );
  });
});

describe('PodDisruptionBudget', () => {
  it('minAvailable 2 of 3 ready pods: one eviction goes through, the next is refused with 429 until the controller counts again', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(RC, rc(ns, 'web', 3), { namespace: ns });
    const h = await keyedHarness(ns, () => [
      replicationControllerController(),
      disruptionController,
    ]);
    h.observe(c);
    await h.settle();
    for (const p of await livePods(c, ns)) await runReady(c, p);
    await c.create<PodDisruptionBudget>(
      PDB,
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'web', namespace: ns },
        spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
      } as PodDisruptionBudget,
      { namespace: ns },
    );
    await h.settle();
    let pdb = await c.get<PodDisruptionBudget>(PDB, 'web', { namespace: ns });
    expect(pdb.status).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 1,
    });
    expect(pdb.status!.conditions).toEqual([
      expect.objectContaining({
        type: 'DisruptionAllowed',
        status: 'True',
        reason: 'SufficientPods',
      }),
    ]);

    const [first, second] = await livePods(c, ns);
    // A server-side dry run (kubectl drain --dry-run=server) changes neither the pod nor the budget.
    await c.createSubresource(
      'pods',
      first.metadata.name!,
      'eviction',
      {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: first.metadata.name, namespace: ns },
        deleteOptions: { dryRun: ['All'] },
      },
      { namespace: ns },
    );
    expect(await c.get<Pod>('pods', first.metadata.name!, { namespace: ns })).not.toHaveProperty(
      'metadata.deletionTimestamp',
    );
    pdb = await c.get<PodDisruptionBudget>(PDB, 'web', { namespace: ns });
    expect(pdb.status!.disruptionsAllowed).toBe(1);
    await evict(c, ns, first.metadata.name!);
    // Bound, so it terminates gracefully, marked with why it goes.
    const evicted = await c.get<Pod>('pods', first.metadata.name!, { namespace: ns });
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect(evicted.status!.conditions).toContainEqual(
      expect.objectContaining({
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
      }),
    );
    pdb = await c.get<PodDisruptionBudget>(PDB, 'web', { namespace: ns });
    expect(pdb.status!.disruptionsAllowed).toBe(0);
    expect(Object.keys(pdb.status!.disruptedPods ?? {})).toEqual([first.metadata.name]);
    expect(pdb.status!.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'InsufficientPods',
    });

    const refused = await evict(c, ns, second.metadata.name!).catch((e: unknown) => e);
    expect(isTooManyRequests(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect((refused as { status?: { details?: unknown } }).status?.details).toMatchObject({
      causes: [
        {
          reason: 'DisruptionBudget',
          message: 'The disruption budget web needs 2 healthy pods and has 3 currently',
        },
      ],
    });
    // The evicted pod is gone and its replacement is not ready yet: still nothing to spare.
    await h.settle();
    pdb = await c.get<PodDisruptionBudget>(PDB, 'web', { namespace: ns });
    expect(pdb.status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0 });
    expect(pdb.status!.disruptedPods).toBeUndefined();
    // The replacement turns ready: one disruption allowed again.
    for (const p of await livePods(c, ns)) if (!p.spec?.nodeName) await runReady(c, p);
    await h.settle();
    pdb = await c.get<PodDisruptionBudget>(PDB, 'web', { namespace: ns });
    expect(pdb.status).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 });
    await evict(c, ns, second.metadata.name!);
  });

  it('maxUnavailable counts the controller scale, and AlwaysAllow lets an unready pod go without spending the budget', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(RC, rc(ns, 'db', 2), { namespace: ns });
    const h = await keyedHarness(ns, () => [
      replicationControllerController(),
      disruptionController,
    ]);
    h.observe(c);
    await h.settle();
    const [ready, unready] = await livePods(c, ns);
    await runReady(c, ready);
    await c.create(
      PDB,
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'db', namespace: ns },
        spec: {
          maxUnavailable: '50%',
          selector: { matchLabels: { app: 'db' } },
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      },
      { namespace: ns },
    );
    await h.settle();
    let pdb = await c.get<PodDisruptionBudget>(PDB, 'db', { namespace: ns });
    expect(pdb.status).toMatchObject({
      expectedPods: 2,
      desiredHealthy: 1,
      currentHealthy: 1,
      disruptionsAllowed: 0,
    });
    const refused = await evict(c, ns, ready.metadata.name!).catch((e: unknown) => e);
    expect(isTooManyRequests(refused)).toBe(true);
    await evict(c, ns, unready.metadata.name!);
    pdb = await c.get<PodDisruptionBudget>(PDB, 'db', { namespace: ns });
    expect(pdb.status!.disruptedPods).toBeUndefined();
  });

  it("a ReplicaSet under a Deployment counts with the Deployment's scale; a pod without a known controller fails safe", async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const h = await keyedHarness(ns, () => [disruptionController]);
    h.observe(c);
    const template = {
      metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    };
    const deploy = await c.create(
      'apps/v1/deployments',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: ns },
        spec: { replicas: 4, selector: { matchLabels: { app: 'api' } }, template },
      },
      { namespace: ns },
    );
    const rs = await c.create(
      'apps/v1/replicasets',
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: 'api-1',
          namespace: ns,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'api',
              uid: (deploy.metadata as { uid?: string }).uid!,
              controller: true,
            },
          ],
        },
        spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template },
      },
      { namespace: ns },
    );
    for (const name of ['api-a', 'api-b'])
      await c.create(
        'pods',
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: ns,
            labels: { app: 'api' },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'api-1',
                uid: (rs.metadata as { uid?: string }).uid!,
                controller: true,
              },
            ],
          },
          spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
        },
        { namespace: ns },
      );
    await c.create(
      PDB,
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'api', namespace: ns },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } },
      },
      { namespace: ns },
    );
    await h.settle();
    let pdb = await c.get<PodDisruptionBudget>(PDB, 'api', { namespace: ns });
    expect(pdb.status).toMatchObject({ expectedPods: 4, desiredHealthy: 3, disruptionsAllowed: 0 });
    // A pod owned by something the controller cannot scale: the budget says why and allows nothing.
    await c.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'api-x',
          namespace: ns,
          labels: { app: 'api' },
          ownerReferences: [
            {
              apiVersion: 'example.com/v1',
              kind: 'Thing',
              name: 't',
              uid: 'u-1',
              controller: true,
            },
          ],
        },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
      { namespace: ns },
    );
    await h.settle().catch(() => undefined);
    pdb = await c.get<PodDisruptionBudget>(PDB, 'api', { namespace: ns });
    expect(pdb.status!.disruptionsAllowed).toBe(0);
    expect(pdb.status!.conditions).toEqual([
      expect.objectContaining({
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'SyncFailed',
        message: 'found no controllers for pod "api-x"',
      }),
    ]);
  });

  it('a DisruptionTarget condition left on a pod that was not deleted is reset after two minutes', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    let offset = 0;
    const h = await keyedHarness(ns, () => [disruptionController], {
      now: () => Date.now() + offset,
    });
    h.observe(c);
    const pod = await c.create<Pod>(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: ns },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      } as Pod,
      { namespace: ns },
    );
    const since = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    pod.status = {
      ...pod.status,
      conditions: [
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'EvictionByEvictionAPI',
          message: 'Eviction API: evicting',
          lastTransitionTime: since,
        },
      ],
    };
    await c.updateStatus('pods', pod, { namespace: ns });
    await h.settle();
    const cond = async () =>
      (await c.get<Pod>('pods', 'p', { namespace: ns })).status!.conditions!.find(
        (x) => x.type === 'DisruptionTarget',
      );
    expect((await cond())!.status).toBe('True');
    offset = 121_000;
    await h.settle();
    expect(await cond()).toMatchObject({ status: 'False' });
  });
});
