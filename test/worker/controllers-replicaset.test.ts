// The ReplicaSet controller against the real API Worker: scaling, deletion ranking, adoption, status.
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import {
  replicaSetController,
  type Pod,
  type ReplicaSet,
} from '../../workers/controllers/replicaset';
import type { ControllerConfig } from '../../workers/controllers/framework';
import { keyedHarness, slowWatches } from './controller-harness';
import { ControllerExpectations } from '../../workers/shared/expectations';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The controller as the leader runs it (caches of one namespace, a work queue, passes), with its
 * writes counted and pod creates optionally failing; the test's own client is observed so every
 * pass starts from caches that show what the test wrote.
 */
async function harness(
  ns: string,
  c: KubeClient,
  now: () => number = Date.now,
  config: Partial<ControllerConfig> = {},
) {
  const h = await keyedHarness(ns, () => [replicaSetController()], { now, config });
  h.observe(c);
  const out = Object.assign(h, { failPodCreates: false, podCreates: 0, run: h.pass });
  h.onWrite = (req) => {
    if (req.method === 'POST' && /\/pods$/.test(new URL(req.url).pathname)) {
      out.podCreates++;
      if (out.failPodCreates) throw new Error('injected failure');
    }
  };
  return out;
}

function replicaSet(
  ns: string,
  name: string,
  replicas: number,
  extra: Partial<ReplicaSet['spec']> = {},
): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: 'web' } },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
      ...extra,
    },
  };
}

const pods = async (c: KubeClient, ns: string) =>
  (await c.list<Pod>('pods', { namespace: ns })).items;
const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);
const getRS = (c: KubeClient, ns: string, name: string) =>
  c.get<ReplicaSet>('apps/v1/replicasets', name, { namespace: ns });

async function bind(c: KubeClient, p: Pod, node = 'node-a') {
  await c.createSubresource(
    'pods',
    p.metadata.name!,
    'binding',
    {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: p.metadata.name },
      target: { kind: 'Node', name: node },
    },
    { namespace: p.metadata.namespace },
  );
}

/** What a kubelet reports: Running, and Ready since `readySince` (or Running but not ready). */
async function setStatus(
  c: KubeClient,
  name: string,
  ns: string,
  opts: { ready: boolean; readySince?: number; restarts?: number },
) {
  const p = await c.get<Pod>('pods', name, { namespace: ns });
  const since = iso(opts.readySince ?? Date.now());
  p.status = {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: since },
      { type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: since },
    ],
    containerStatuses: [
      {
        name: 'c',
        ready: opts.ready,
        started: true,
        restartCount: opts.restarts ?? 0,
        image: 'busybox:1.36',
        imageID: '',
        state: { running: { startedAt: since } },
      } as never,
    ],
  };
  await c.updateStatus('pods', p, { namespace: ns });
}

describe('ReplicaSet controller', () => {
  it('creates pods from the template, named after the ReplicaSet and owned by it, and reports them', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const rs = await c.create<ReplicaSet>('apps/v1/replicasets', replicaSet(ns, 'web', 3), {
      namespace: ns,
    });
    const h = await harness(ns, c);
    await h.settle();
    const ps = await pods(c, ns);
    expect(ps).toHaveLength(3);
    for (const p of ps) {
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.labels).toEqual({ app: 'web', tier: 'web' });
      expect(p.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    const status = (await getRS(c, ns, 'web')).status!;
    expect(status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
    expect(status.readyReplicas ?? 0).toBe(0);
    const events = (await c.list('events', { namespace: ns })).items as unknown as {
      reason: string;
      message: string;
      involvedObject: { kind: string };
    }[];
    expect(
      events
        .filter((e) => e.reason === 'SuccessfulCreate')
        .map((e) => e.message)
        .sort(),
    ).toEqual(ps.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(events.every((e) => e.involvedObject.kind === 'ReplicaSet')).toBe(true);
  });

  it('makes no write at all in a pass over a converged namespace', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 2), { namespace: ns });
    const h = await harness(ns, c);
    await h.settle();
    for (const p of await pods(c, ns)) {
      await bind(c, p);
      await setStatus(c, p.metadata.name!, ns, { ready: true });
    }
    await h.settle();
    const before = h.writes;
    await h.run();
    await h.run();
    expect(h.writes).toBe(before);
    expect((await getRS(c, ns, 'web')).status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('scales down the least valuable pods first: unassigned, then not ready, then the most recently ready', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 5), { namespace: ns });
    const h = await harness(ns, c);
    await h.settle();
    const [unassigned, notReady, oldReady, newReady, restarted] = await pods(c, ns);
    const t = Date.now();
    await bind(c, notReady, 'n1');
    await setStatus(c, notReady.metadata.name!, ns, { ready: false });
    await bind(c, oldReady, 'n2');
    await setStatus(c, oldReady.metadata.name!, ns, { ready: true, readySince: t - 600_000 });
    await bind(c, newReady, 'n3');
    await setStatus(c, newReady.metadata.name!, ns, { ready: true, readySince: t - 10_000 });
    await bind(c, restarted, 'n4');
    await setStatus(c, restarted.metadata.name!, ns, {
      ready: true,
      readySince: t - 600_000,
      restarts: 4,
    });
    await h.settle();

    const scaleTo = async (n: number) => {
      await c.patch(
        'apps/v1/replicasets',
        'web',
        'merge',
        { spec: { replicas: n } },
        { namespace: ns },
      );
      await h.settle();
      return live(await pods(c, ns)).map((p) => p.metadata.name);
    };
    expect(await scaleTo(3)).toEqual(
      expect.arrayContaining([
        oldReady.metadata.name,
        newReady.metadata.name,
        restarted.metadata.name,
      ]),
    );
    // The most recently ready goes next; of two ready equally long, the one with more restarts.
    expect((await scaleTo(2)).sort()).toEqual(
      [oldReady.metadata.name, restarted.metadata.name].sort(),
    );
    expect(await scaleTo(1)).toEqual([oldReady.metadata.name]);
    const all = await pods(c, ns);
    // Bound pods linger as Terminating (their kubelet finishes them); the unbound one is gone at once.
    expect(all.find((p) => p.metadata.name === unassigned.metadata.name)).toBeUndefined();
    expect(
      all.find((p) => p.metadata.name === newReady.metadata.name)?.metadata.deletionTimestamp,
    ).toBeDefined();
    expect((await getRS(c, ns, 'web')).status).toMatchObject({ replicas: 1, readyReplicas: 1 });
    const events = (await c.list('events', { namespace: ns })).items as unknown as {
      reason: string;
      message: string;
    }[];
    expect(events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message)).toContain(
      `Deleted pod: ${newReady.metadata.name}`,
    );
  });

  it('does not count terminating or finished pods and replaces them', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 2), { namespace: ns });
    const h = await harness(ns, c);
    await h.settle();
    const [a, b] = await pods(c, ns);
    await bind(c, a);
    await setStatus(c, a.metadata.name!, ns, { ready: true });
    await c.delete('pods', a.metadata.name!, { namespace: ns });
    const finished = await c.get<Pod>('pods', b.metadata.name!, { namespace: ns });
    finished.status = { phase: 'Failed' };
    await c.updateStatus('pods', finished, { namespace: ns });
    await h.settle();
    const all = await pods(c, ns);
    expect(all).toHaveLength(4);
    expect(
      all.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed'),
    ).toHaveLength(2);
    expect((await getRS(c, ns, 'web')).status?.replicas).toBe(2);
  });

  it('adopts a matching orphan pod and releases a pod whose labels stop matching', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const orphan = await c.create<Pod>(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'stray', namespace: ns, labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
      { namespace: ns },
    );
    const rs = await c.create<ReplicaSet>('apps/v1/replicasets', replicaSet(ns, 'web', 2), {
      namespace: ns,
    });
    const h = await harness(ns, c);
    await h.settle();
    let ps = await pods(c, ns);
    expect(ps).toHaveLength(2);
    const adopted = ps.find((p) => p.metadata.name === 'stray')!;
    expect(adopted.metadata.uid).toBe(orphan.metadata.uid);
    expect(adopted.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ReplicaSet', uid: rs.metadata.uid, controller: true }),
    ]);
    // Only 1 of the 2 carries every template label, so fullyLabeledReplicas says 1.
    expect((await getRS(c, ns, 'web')).status).toMatchObject({
      replicas: 2,
      fullyLabeledReplicas: 1,
    });

    await c.patch(
      'pods',
      'stray',
      'merge',
      { metadata: { labels: { app: 'other' } } },
      { namespace: ns },
    );
    await h.settle();
    ps = await pods(c, ns);
    expect(ps).toHaveLength(3);
    expect(ps.find((p) => p.metadata.name === 'stray')!.metadata.ownerReferences).toBeUndefined();
    expect(ps.filter((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid)).toHaveLength(
      2,
    );
  });

  it('leaves pods controlled by another owner alone', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const other = await c.create<KObject>(
      'configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: ns } },
      { namespace: ns },
    );
    await c.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'taken',
          namespace: ns,
          labels: { app: 'web' },
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'owner',
              uid: other.metadata.uid!,
              controller: true,
            },
          ],
        },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
      { namespace: ns },
    );
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 1), { namespace: ns });
    await (await harness(ns, c)).settle();
    const ps = await pods(c, ns);
    expect(ps).toHaveLength(2);
    expect(ps.find((p) => p.metadata.name === 'taken')!.metadata.ownerReferences![0].kind).toBe(
      'ConfigMap',
    );
  });

  it('counts a ready pod available only after minReadySeconds, and asks to be woken then', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 2, { minReadySeconds: 30 }), {
      namespace: ns,
    });
    const t = Date.now();
    const h = await harness(ns, c, () => t);
    await h.settle();
    for (const p of await pods(c, ns)) {
      await bind(c, p);
      await setStatus(c, p.metadata.name!, ns, { ready: true, readySince: t });
    }
    const res = await h.settle();
    expect((await getRS(c, ns, 'web')).status).toMatchObject({ readyReplicas: 2 });
    expect((await getRS(c, ns, 'web')).status?.availableReplicas ?? 0).toBe(0);
    expect(res.requeueAfterMs).toBeGreaterThan(29_000);
    expect(res.requeueAfterMs).toBeLessThanOrEqual(32_000);
    h.now = () => t + 31_000;
    await h.settle();
    expect((await getRS(c, ns, 'web')).status).toMatchObject({
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('stops after maxWritesPerPass writes and asks for another pass', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 5), { namespace: ns });
    const h = await harness(ns, c, Date.now, { maxWritesPerPass: 3 });
    expect(await h.run()).toMatchObject({ more: true });
    expect(await pods(c, ns)).toHaveLength(3);
    await h.settle();
    expect(await pods(c, ns)).toHaveLength(5);
  });

  it('backs off with growing delays while pod creates keep failing, and creates nothing while it waits', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 3), { namespace: ns });
    let t = Date.now();
    const h = await harness(ns, c, () => t);
    h.failPodCreates = true;
    // The first failure records ReplicaFailure; that status change re-queues the key at once, as
    // upstream's updateRS does. From then on only the rate limiter brings it back.
    await h.run();
    let r = await h.run();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      delays.push(r.requeueAfterMs!);
      const attempts = h.podCreates;
      // Just before the delay is up: no create is tried.
      t += r.requeueAfterMs! - 1;
      await h.run();
      expect(h.podCreates).toBe(attempts);
      t += 1;
      r = await h.run();
      expect(h.podCreates).toBeGreaterThan(attempts);
    }
    // k8s: the controllers' rate limiter: 5 ms doubling per failure (up to 1000 s).
    expect(delays).toEqual([10, 20, 40, 80]);
    expect(
      (await getRS(c, ns, 'web')).status?.conditions?.find((x) => x.type === 'ReplicaFailure')
        ?.reason,
    ).toBe('FailedCreate');
    // Once creates work again the ReplicaSet converges and the failure count starts over.
    h.failPodCreates = false;
    t += r.requeueAfterMs!;
    await h.settle();
    const rs = await getRS(c, ns, 'web');
    expect(live(await pods(c, ns))).toHaveLength(3);
    expect(h.manager.queues.get('replicaset')!.limiter.numRequeues(`${ns}/web`)).toBe(0);
    expect(rs.status?.conditions ?? []).toEqual([]);
  });

  it('writes at most maxWritesPerPass + maxEventsPerPass requests in one pass, its events included', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', replicaSet(ns, 'web', 40), { namespace: ns });
    const h = await harness(ns, c, Date.now, { maxWritesPerPass: 20, maxEventsPerPass: 5 });
    expect(await h.run()).toMatchObject({ more: true });
    expect(h.writes).toBeGreaterThan(0);
    expect(h.writes).toBeLessThanOrEqual(25);
  });

  it('makes no extra pods while a slow watch has not yet shown the pods it created (expectations)', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const run = async (expectations: ControllerExpectations) => {
      const name = `web${Math.random().toString(36).slice(2, 6)}`;
      await c.create('apps/v1/replicasets', replicaSet(ns, name, 3), { namespace: ns });
      const h = await keyedHarness(ns, () => [replicaSetController(expectations)], {
        watchTransport: slowWatches(1500),
      });
      let created = 0;
      h.onWrite = (req) =>
        void (req.method === 'POST' && /\/pods$/.test(new URL(req.url).pathname) && created++);
      try {
        await h.sync(20_000);
        // Five passes inside the watch's delay, the ReplicaSet's key queued again each time (any
        // event or a resync would): the cache still shows no pods.
        for (let i = 0; i < 5; i++) {
          h.manager.enqueue('replicaset', `${ns}/${name}`);
          await h.passNow();
        }
        await h.settle();
      } finally {
        h.stop();
      }
      const left = (await pods(c, ns)).filter(
        (p) => p.metadata.ownerReferences?.[0]?.name === name && !p.metadata.deletionTimestamp,
      ).length;
      return { created, left };
    };
    // Expectations that never wait (timed out at once) show what they prevent: pods made on a stale
    // count, deleted again once the watch catches up.
    const without = await run(new ControllerExpectations(-1));
    expect(without.created).toBeGreaterThan(3);
    expect(await run(new ControllerExpectations())).toEqual({ created: 3, left: 3 });
  });
});
