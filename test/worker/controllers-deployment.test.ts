// The Deployment controller (with the ReplicaSet controller and a simulated kubelet) against the real API Worker.
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import type { KubeClient } from '../../src/client/client';
import { isPodReady } from '../../src/api/pod';
import {
  replicaSetController,
  type Pod,
  type ReplicaSet,
} from '../../workers/controllers/replicaset';
import { deploymentController } from '../../workers/controllers/deployment/index';
import {
  computeHash,
  equalIgnoreHash,
  safeEncodeString,
} from '../../workers/controllers/deployment/hash';
import { resolveFenceposts, type Deployment } from '../../workers/controllers/deployment/util';
import { keyedHarness } from './controller-harness';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HASH = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

interface Options {
  now?: () => number;
  /** Which pods the simulated kubelet reports Ready (default all). */
  ready?: (p: Pod) => boolean;
  /** Runs after every pass and kubelet step: where a test asserts its invariants. */
  check?: () => Promise<void>;
}

/**
 * Both controllers as the leader runs them (caches of one namespace, queues, passes), with every
 * controller write counted, Progressing reasons recorded, optional injected failures, and a kubelet
 * that binds pods, reports them Running/Ready and finishes terminating ones.
 */
async function cluster(ns: string, opts: Options = {}) {
  const kube = apiClient();
  const base = await keyedHarness(ns, () => [deploymentController, replicaSetController()], {
    now: opts.now ?? (() => Date.now()),
  });
  base.observe(kube);
  const { pass: basePass, settle: baseSettle } = base;
  const h = Object.assign(base, {
    /** Every Progressing reason the controller wrote, in order. */
    progressing: [] as string[],
    ready: opts.ready ?? (() => true),
    check: opts.check ?? (async () => undefined),
  });
  h.onWrite = async (req) => {
    if (req.method === 'PUT' && req.url.includes('/deployments/') && req.url.includes('/status')) {
      const c = ((await req.clone().json()) as Deployment).status?.conditions?.find(
        (x) => x.type === 'Progressing',
      );
      if (c && h.progressing.at(-1) !== c.reason) h.progressing.push(c.reason!);
    }
  };

  /** One controller-manager pass over the due keys. */
  const pass = async () => {
    const res = await basePass();
    await h.check();
    return res;
  };

  const kubelet = async (): Promise<number> => {
    let actions = 0;
    for (const p of (await kube.list<Pod>('pods', { namespace: ns })).items) {
      const name = p.metadata.name!;
      if (p.metadata.deletionTimestamp) {
        await kube
          .delete('pods', name, { namespace: ns, gracePeriodSeconds: 0 })
          .catch(() => undefined);
        actions++;
        continue;
      }
      if (!p.spec?.nodeName) {
        await kube.createSubresource(
          'pods',
          name,
          'binding',
          {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name },
            target: { kind: 'Node', name: 'node-a' },
          },
          { namespace: ns },
        );
        actions++;
      }
      const ready = h.ready(p);
      if (p.status?.phase === 'Running' && isPodReady(p) === ready) continue;
      const fresh = await kube.get<Pod>('pods', name, { namespace: ns });
      const at = iso(h.now());
      fresh.status = {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at },
        ],
        containerStatuses: [
          {
            name: 'app',
            ready,
            restartCount: 0,
            started: true,
            image: 'x',
            imageID: '',
            state: { running: { startedAt: at } },
          } as never,
        ],
      };
      await kube.updateStatus('pods', fresh, { namespace: ns });
      actions++;
    }
    await h.check();
    return actions;
  };

  /** Passes and kubelet rounds until neither changes anything; answers the last pass's outcome. */
  const settle = (withKubelet = true) =>
    baseSettle(async () => {
      await h.check();
      return withKubelet ? kubelet() : 0;
    }, 80);
  return Object.assign(h, { client: kube, pass, kubelet, settle });
}

function deployment(
  ns: string,
  name: string,
  replicas: number,
  spec: Partial<Deployment['spec']> = {},
  image = 'nginx:1.27',
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 80 }] }] },
      },
      ...spec,
    },
  };
}

const getD = (c: KubeClient, ns: string, name = 'web') =>
  c.get<Deployment>('apps/v1/deployments', name, { namespace: ns });
const listRS = async (c: KubeClient, ns: string) =>
  (await c.list<ReplicaSet>('apps/v1/replicasets', { namespace: ns })).items;
const listPods = async (c: KubeClient, ns: string) =>
  (await c.list<Pod>('pods', { namespace: ns })).items;
const setImage = (c: KubeClient, ns: string, image: string, name = 'web') =>
  c.patch(
    'apps/v1/deployments',
    name,
    'json',
    [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }],
    { namespace: ns },
  );
const cond = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);
const events = async (c: KubeClient, ns: string) =>
  (
    (await c.list('events', { namespace: ns })).items as unknown as {
      reason: string;
      message: string;
      involvedObject: { kind: string };
    }[]
  ).filter((e) => e.involvedObject.kind === 'Deployment');
const activeRS = async (c: KubeClient, ns: string) =>
  (await listRS(c, ns)).filter((rs) => (rs.spec.replicas ?? 0) > 0);

describe('pod-template-hash and fenceposts', () => {
  it('hashes equal templates equally, ignores Go zero values, and moves with collisionCount', () => {
    const t = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: {} }] },
    };
    const undo = {
      metadata: { creationTimestamp: null, labels: { app: 'web', [HASH]: 'abc' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    };
    expect(computeHash(t)).toBe(computeHash(undo as never));
    expect(equalIgnoreHash(t, undo as never)).toBe(true);
    expect(
      equalIgnoreHash(t, { ...t, spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } }),
    ).toBe(false);
    expect(computeHash(t, 1)).not.toBe(computeHash(t));
    expect(computeHash(t, 0)).not.toBe(computeHash(t));
    expect(computeHash(t)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    // An empty emptyDir still means something: dropping it is a different template.
    const vol = (v: Record<string, unknown>) => ({
      ...t,
      spec: { ...t.spec, volumes: [{ name: 'scratch', ...v }] },
    });
    expect(equalIgnoreHash(vol({ emptyDir: {} }), vol({}))).toBe(false);
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('rounds surge up and unavailability down, and never resolves both to zero', () => {
    expect(resolveFenceposts('25%', '25%', 3)).toEqual([1, 0]);
    expect(resolveFenceposts('25%', '25%', 10)).toEqual([3, 2]);
    expect(resolveFenceposts(1, 0, 4)).toEqual([1, 0]);
    expect(resolveFenceposts('0%', '1%', 2)).toEqual([0, 1]);
    expect(resolveFenceposts(0, '50%', 4)).toEqual([0, 2]);
  });
});

describe('Deployment controller', () => {
  it('creates a ReplicaSet named by its template hash, with revision annotations, and rolls out to completion', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const d = await c.create<Deployment>(
      'apps/v1/deployments',
      {
        ...deployment(ns, 'web', 3),
        metadata: {
          name: 'web',
          namespace: ns,
          annotations: { 'kubernetes.io/change-cause': 'first' },
        },
      },
      { namespace: ns },
    );
    const h = await cluster(ns);
    await h.settle();

    const [rs] = await listRS(c, ns);
    expect(await listRS(c, ns)).toHaveLength(1);
    const hash = rs.metadata.labels![HASH];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector).toEqual({ matchLabels: { app: 'web', [HASH]: hash } });
    expect(rs.spec.template!.metadata!.labels).toEqual({ app: 'web', [HASH]: hash });
    expect(rs.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: d.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(rs.metadata.annotations).toEqual({
      [REVISION]: '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'kubernetes.io/change-cause': 'first',
    });
    for (const p of await listPods(c, ns))
      expect(p.metadata.labels).toEqual({ app: 'web', [HASH]: hash });

    const done = await getD(c, ns);
    expect(done.metadata.annotations?.[REVISION]).toBe('1');
    expect(done.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(done.status?.unavailableReplicas ?? 0).toBe(0);
    expect(cond(done, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
    });
    expect(cond(done, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "web-${hash}" has successfully progressed.`,
    });
    expect(h.progressing).toEqual([
      'NewReplicaSetCreated',
      'ReplicaSetUpdated',
      'NewReplicaSetAvailable',
    ]);
    expect((await events(c, ns)).map((e) => `${e.reason}: ${e.message}`)).toEqual([
      `ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`,
    ]);

    const before = h.writes;
    await h.pass();
    await h.pass();
    expect(h.writes).toBe(before);
  });

  it('rolls 4 replicas with maxSurge=1, maxUnavailable=0 and never has fewer than 4 ready pods', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'apps/v1/deployments',
      deployment(ns, 'web', 4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
      { namespace: ns },
    );
    let armed = false;
    let minReady = Infinity;
    let maxLive = 0;
    const h = await cluster(ns, {
      check: async () => {
        if (!armed) return;
        const live = (await listPods(c, ns)).filter((p) => !p.metadata.deletionTimestamp);
        minReady = Math.min(minReady, live.filter(isPodReady).length);
        maxLive = Math.max(maxLive, live.length);
      },
    });
    await h.settle();
    const [old] = await listRS(c, ns);
    armed = true;
    await setImage(c, ns, 'nginx:1.28');
    await h.settle();

    expect(minReady).toBe(4);
    expect(maxLive).toBe(5);
    const rss = await listRS(c, ns);
    const fresh = rss.find((rs) => rs.metadata.uid !== old.metadata.uid)!;
    expect(rss.find((rs) => rs.metadata.uid === old.metadata.uid)!.spec.replicas).toBe(0);
    expect(fresh.spec.replicas).toBe(4);
    expect(fresh.metadata.annotations?.[REVISION]).toBe('2');
    const d = await getD(c, ns);
    expect(d.metadata.annotations?.[REVISION]).toBe('2');
    expect(d.status).toMatchObject({
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 4,
      availableReplicas: 4,
    });
    const msgs = (await events(c, ns)).map((e) => e.message);
    expect(msgs).toContain(`Scaled up replica set ${fresh.metadata.name} from 0 to 1`);
    expect(msgs).toContain(`Scaled down replica set ${old.metadata.name} to 3 from 4`);
    expect(msgs).toContain(`Scaled up replica set ${fresh.metadata.name} to 4 from 3`);
    expect(msgs).toContain(`Scaled down replica set ${old.metadata.name} to 0 from 1`);
  });

  it('with maxSurge=0 and maxUnavailable=50% never runs more than 4 pods nor fewer than 2 ready', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'apps/v1/deployments',
      deployment(ns, 'web', 4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '50%' } },
      }),
      { namespace: ns },
    );
    let armed = false;
    let minReady = Infinity;
    let maxPods = 0;
    const h = await cluster(ns, {
      check: async () => {
        if (!armed) return;
        const live = (await listPods(c, ns)).filter((p) => !p.metadata.deletionTimestamp);
        minReady = Math.min(minReady, live.filter(isPodReady).length);
        maxPods = Math.max(maxPods, live.length);
      },
    });
    await h.settle();
    armed = true;
    await setImage(c, ns, 'nginx:1.28');
    await h.settle();
    expect(minReady).toBe(2);
    expect(maxPods).toBe(4);
    expect((await activeRS(c, ns)).map((rs) => rs.spec.template!.spec!.containers)).toEqual([
      [expect.objectContaining({ image: 'nginx:1.28' })],
    ]);
  });

  it('reuses the old ReplicaSet, by name, when rollout undo resends its template with Go zero values', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/deployments', deployment(ns, 'web', 2), { namespace: ns });
    const h = await cluster(ns);
    await h.settle();
    const [first] = await listRS(c, ns);
    await setImage(c, ns, 'nginx:1.28');
    await h.settle();
    expect(await listRS(c, ns)).toHaveLength(2);

    // What kubectl rollout undo sends: the old RS's template without the hash label, as Go prints it.
    const template = structuredClone(first.spec.template!) as {
      metadata: Record<string, unknown> & { labels: Record<string, string> };
      spec: { containers: Record<string, unknown>[] };
    };
    delete template.metadata.labels[HASH];
    template.metadata.creationTimestamp = null;
    template.spec.containers[0].resources = {};
    await c.patch(
      'apps/v1/deployments',
      'web',
      'json',
      [
        { op: 'replace', path: '/spec/template', value: template },
        { op: 'replace', path: '/metadata/annotations', value: { [REVISION]: '2' } },
      ],
      { namespace: ns },
    );
    await h.settle();

    const rss = await listRS(c, ns);
    expect(rss).toHaveLength(2);
    const [active] = await activeRS(c, ns);
    expect(active.metadata.name).toBe(first.metadata.name);
    expect(active.spec.replicas).toBe(2);
    expect(active.metadata.annotations).toMatchObject({
      [REVISION]: '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    const d = await getD(c, ns);
    expect(d.metadata.annotations?.[REVISION]).toBe('3');
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(cond(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('Recreate scales old pods to zero and waits until they are gone before starting new ones', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'apps/v1/deployments',
      deployment(ns, 'web', 3, { strategy: { type: 'Recreate' } }),
      { namespace: ns },
    );
    let oldHash = '';
    let overlaps = 0;
    let sawNone = false;
    const h = await cluster(ns, {
      check: async () => {
        if (!oldHash) return;
        const pods = await listPods(c, ns);
        const old = pods.filter((p) => p.metadata.labels?.[HASH] === oldHash);
        const fresh = pods.filter((p) => p.metadata.labels?.[HASH] !== oldHash);
        if (old.length && fresh.length) overlaps++;
        if (!pods.length) sawNone = true;
      },
    });
    await h.settle();
    oldHash = (await listRS(c, ns))[0].metadata.labels![HASH];
    await setImage(c, ns, 'nginx:1.28');
    await h.settle();
    expect(overlaps).toBe(0);
    expect(sawNone).toBe(true);
    const active = await activeRS(c, ns);
    expect(active).toHaveLength(1);
    expect(active[0].metadata.labels![HASH]).not.toBe(oldHash);
    expect((await getD(c, ns)).status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
  });

  it('while paused only scales; resuming rolls the change out, with DeploymentPaused and DeploymentResumed on Progressing', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/deployments', deployment(ns, 'web', 2), { namespace: ns });
    const h = await cluster(ns);
    await h.settle();
    const [first] = await listRS(c, ns);
    await c.patch(
      'apps/v1/deployments',
      'web',
      'merge',
      { spec: { paused: true } },
      { namespace: ns },
    );
    await setImage(c, ns, 'nginx:1.28');
    await c.patch(
      'apps/v1/deployments',
      'web',
      'merge',
      { spec: { replicas: 3 } },
      { namespace: ns },
    );
    await h.settle();
    let d = await getD(c, ns);
    expect(cond(d, 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    });
    expect(await listRS(c, ns)).toHaveLength(1);
    expect((await listRS(c, ns))[0].spec.replicas).toBe(3);
    expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 3 });
    expect(d.status?.updatedReplicas ?? 0).toBe(0);
    expect((await events(c, ns)).map((e) => e.message)).toContain(
      `Scaled up replica set ${first.metadata.name} to 3 from 2`,
    );

    await c.patch(
      'apps/v1/deployments',
      'web',
      'merge',
      { spec: { paused: false } },
      { namespace: ns },
    );
    await h.settle();
    expect(h.progressing).toEqual(
      expect.arrayContaining(['DeploymentPaused', 'DeploymentResumed', 'NewReplicaSetCreated']),
    );
    expect(h.progressing.indexOf('DeploymentResumed')).toBeLessThan(
      h.progressing.lastIndexOf('NewReplicaSetCreated'),
    );
    d = await getD(c, ns);
    expect(cond(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const [active] = await activeRS(c, ns);
    expect(active.metadata.name).not.toBe(first.metadata.name);
    expect(active.spec.replicas).toBe(3);
  });

  it('reports ProgressDeadlineExceeded once no progress is made for progressDeadlineSeconds, and wakes itself for it', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'apps/v1/deployments',
      deployment(ns, 'web', 2, { progressDeadlineSeconds: 10 }),
      { namespace: ns },
    );
    const t0 = Date.now();
    let offset = 0;
    const h = await cluster(ns, { now: () => t0 + offset, ready: () => false });
    const res = await h.settle();
    const [rs] = await listRS(c, ns);
    expect(cond(await getD(c, ns), 'Progressing')).toMatchObject({ status: 'True' });
    expect(res.requeueAfterMs).toBeGreaterThan(9_000);
    expect(res.requeueAfterMs).toBeLessThanOrEqual(11_000);

    offset = 12_000;
    await h.settle();
    let d = await getD(c, ns);
    expect(cond(d, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
    });
    expect(cond(d, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
    });
    const before = h.writes;
    expect((await h.pass()).requeueAfterMs).toBeUndefined();
    expect(h.writes).toBe(before);

    h.ready = () => true;
    await h.settle();
    d = await getD(c, ns);
    expect(cond(d, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
  });

  it('holds a rolling update until new pods have been ready for minReadySeconds', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'apps/v1/deployments',
      deployment(ns, 'web', 2, {
        minReadySeconds: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
      { namespace: ns },
    );
    // The kubelet stamps readiness with the controllers' clock, so moving it ages the pods.
    let offset = 0;
    const h = await cluster(ns, { now: () => Date.now() + offset });
    await h.settle();
    expect((await getD(c, ns)).status?.availableReplicas ?? 0).toBe(0);
    offset = 60_000;
    await h.settle();
    expect((await getD(c, ns)).status?.availableReplicas).toBe(2);
    const [old] = await listRS(c, ns);
    expect(old.spec.minReadySeconds).toBe(10);
    await setImage(c, ns, 'nginx:1.28');
    await h.settle();
    const sizes = Object.fromEntries(
      (await listRS(c, ns)).map((rs) => [
        rs.metadata.uid === old.metadata.uid ? 'old' : 'new',
        rs.spec.replicas,
      ]),
    );
    expect(sizes).toEqual({ old: 2, new: 1 });
    let d = await getD(c, ns);
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 1,
      readyReplicas: 3,
      availableReplicas: 2,
    });
    // Each new pod must age 10 s before the next old one goes.
    offset = 120_000;
    await h.settle();
    expect((await getD(c, ns)).status).toMatchObject({
      replicas: 3,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
    offset = 180_000;
    await h.settle();
    d = await getD(c, ns);
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(cond(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('keeps only revisionHistoryLimit old ReplicaSets, deleting the oldest revisions', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/deployments', deployment(ns, 'web', 1, { revisionHistoryLimit: 1 }), {
      namespace: ns,
    });
    const h = await cluster(ns);
    await h.settle();
    for (const image of ['nginx:1.28', 'nginx:1.29', 'nginx:1.30']) {
      await setImage(c, ns, image);
      await h.settle();
    }
    const rss = await listRS(c, ns);
    expect(rss.map((rs) => [rs.metadata.annotations?.[REVISION], rs.spec.replicas]).sort()).toEqual(
      [
        ['3', 0],
        ['4', 1],
      ],
    );
  });

  it('resumes a rollout correctly after failures part-way through passes', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'apps/v1/deployments',
      deployment(ns, 'web', 4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
      { namespace: ns },
    );
    let armed = false;
    let minReady = Infinity;
    const h = await cluster(ns, {
      check: async () => {
        if (armed)
          minReady = Math.min(
            minReady,
            (await listPods(c, ns)).filter((p) => !p.metadata.deletionTimestamp && isPodReady(p))
              .length,
          );
      },
    });
    await h.settle();
    armed = true;
    await setImage(c, ns, 'nginx:1.28');
    h.failEvery = 3;
    await h.settle();
    h.failEvery = 0;
    await h.settle();
    expect(minReady).toBe(4);
    const active = await activeRS(c, ns);
    expect(active).toHaveLength(1);
    expect(active[0].spec.template!.spec!.containers).toEqual([
      expect.objectContaining({ image: 'nginx:1.28' }),
    ]);
    expect(active[0].metadata.annotations?.[REVISION]).toBe('2');
    expect(await listRS(c, ns)).toHaveLength(2);
    const d = await getD(c, ns);
    expect(d.metadata.annotations?.[REVISION]).toBe('2');
    expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
  });

  it('scales a Deployment mid-rollout proportionally across its ReplicaSets', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'apps/v1/deployments',
      deployment(ns, 'web', 10, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      }),
      { namespace: ns },
    );
    const h = await cluster(ns, {
      ready: (p) => (p.spec?.containers as { image: string }[])[0].image === 'nginx:1.27',
    });
    await h.settle();
    const [old] = await listRS(c, ns);
    await setImage(c, ns, 'nginx:1.28');
    await h.settle();
    const sizes = async () =>
      Object.fromEntries(
        (await listRS(c, ns)).map((rs) => [
          rs.metadata.uid === old.metadata.uid ? 'old' : 'new',
          rs.spec.replicas,
        ]),
      );
    // The new pods never become ready: 13 pods at most, at least 8 available.
    expect(await sizes()).toEqual({ old: 8, new: 5 });
    await c.patch(
      'apps/v1/deployments',
      'web',
      'merge',
      { spec: { replicas: 20 } },
      { namespace: ns },
    );
    await h.settle();
    expect(await sizes()).toEqual({ old: 14, new: 9 });
    expect((await events(c, ns)).map((e) => e.message)).toContain(
      `Scaled up replica set ${old.metadata.name} to 14 from 8`,
    );
  });

  it('moves off a ReplicaSet name another template holds by bumping collisionCount', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/deployments', deployment(ns, 'web', 1, { paused: true }), {
      namespace: ns,
    });
    const stored = await getD(c, ns);
    const taken = `web-${computeHash(stored.spec.template)}`;
    const squatter = deployment(ns, 'other', 0, {}, 'busybox:1.36');
    await c.create(
      'apps/v1/replicasets',
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: taken, namespace: ns },
        spec: { replicas: 0, selector: squatter.spec.selector, template: squatter.spec.template },
      },
      { namespace: ns },
    );
    await c.patch(
      'apps/v1/deployments',
      'web',
      'merge',
      { spec: { paused: false } },
      { namespace: ns },
    );
    const h = await cluster(ns);
    await h.settle();
    const d = await getD(c, ns);
    expect(d.status?.collisionCount).toBe(1);
    const [active] = await activeRS(c, ns);
    expect(active.metadata.name).toBe(`web-${computeHash(stored.spec.template, 1)}`);
    expect(active.metadata.name).not.toBe(taken);
    expect(d.status).toMatchObject({ replicas: 1, availableReplicas: 1 });
  });

  it('adopts an orphaned ReplicaSet with its template instead of creating another', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const spec = deployment(ns, 'web', 2).spec;
    await c.create(
      'apps/v1/replicasets',
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'web-orphan', namespace: ns, labels: { app: 'web' } },
        spec: { replicas: 2, selector: spec.selector, template: spec.template },
      },
      { namespace: ns },
    );
    const d = await c.create<Deployment>('apps/v1/deployments', deployment(ns, 'web', 2), {
      namespace: ns,
    });
    const h = await cluster(ns);
    await h.settle();
    const rss = await listRS(c, ns);
    expect(rss).toHaveLength(1);
    expect(rss[0].metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Deployment', uid: d.metadata.uid, controller: true }),
    ]);
    expect(rss[0].metadata.annotations?.[REVISION]).toBe('1');
    expect((await getD(c, ns)).status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
  });
});
