// The Job controller against the real API Worker: each finished pod is counted exactly once, even when
// the controller dies between writing status.uncountedTerminatedPods, removing finalizers and
// folding them into the counters (a fresh harness is a restarted or evicted leader: new caches, no memory).
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/api/batch';
import type { Pod } from '../../src/api/core';
import type { KubeClient } from '../../src/client/client';
import { jobController } from '../../workers/controllers/job';
import { apiClient, freshNamespace } from './api';
import { keyedHarness } from './controller-harness';

const JOBS = 'batch/v1/jobs';
const FINALIZER = 'batch.kubernetes.io/job-tracking';

function job(ns: string, name: string, completions: number, parallelism: number): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: {
      completions,
      parallelism,
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
    },
  };
}

const pods = async (c: KubeClient, ns: string) =>
  (await c.list<Pod>('pods', { namespace: ns })).items;

/** What a kubelet reports for a container that exited. */
async function finish(c: KubeClient, p: Pod, exitCode: number) {
  const fresh = await c.get<Pod>('pods', p.metadata.name!, { namespace: p.metadata.namespace });
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  fresh.status = {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at }],
    containerStatuses: [
      {
        name: 'c',
        ready: false,
        restartCount: 0,
        image: 'busybox:1.36',
        imageID: '',
        state: { terminated: { exitCode, startedAt: at, finishedAt: at } },
      } as never,
    ],
  };
  await c.updateStatus('pods', fresh, { namespace: p.metadata.namespace });
}

const getJob = (c: KubeClient, ns: string, name: string) =>
  c.get<Job>(JOBS, name, { namespace: ns });

describe('Job controller', () => {
  it('creates parallelism pods with the tracking finalizer and the generated selector labels', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const j = await c.create<Job>(JOBS, job(ns, 'work', 3, 2), { namespace: ns });
    const h = await keyedHarness(ns, () => [jobController()]);
    h.observe(c);
    try {
      await h.settle();
      const ps = await pods(c, ns);
      expect(ps).toHaveLength(2);
      for (const p of ps) {
        expect(p.metadata.finalizers).toEqual([FINALIZER]);
        expect(p.metadata.labels?.['batch.kubernetes.io/controller-uid']).toBe(j.metadata.uid);
        expect(p.metadata.labels?.['job-name']).toBe('work');
      }
      const s = (await getJob(c, ns, 'work')).status!;
      expect(s.active).toBe(2);
      expect(s.startTime).toBeTruthy();
    } finally {
      h.stop();
    }
  });

  it('counts a finished pod once when the controller dies after recording it and before removing its finalizer', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create<Job>(JOBS, job(ns, 'once', 2, 2), { namespace: ns });
    let h = await keyedHarness(ns, () => [jobController()]);
    h.observe(c);
    await h.settle();
    const [a, b] = await pods(c, ns);
    await finish(c, a, 0);
    // The crash: finalizer removals never reach the server.
    h.onWrite = (req) => {
      if (req.method === 'PATCH' && new URL(req.url).pathname.includes('/pods/'))
        throw new Error('leader evicted');
    };
    await h.pass();
    let s = (await getJob(c, ns, 'once')).status!;
    expect(s.uncountedTerminatedPods?.succeeded).toEqual([a.metadata.uid]);
    expect(s.succeeded ?? 0).toBe(0);
    h.stop();

    // A new leader: fresh caches and no expectations. The pod is counted once, from the status.
    h = await keyedHarness(ns, () => [jobController()]);
    h.observe(c);
    try {
      await h.settle();
      s = (await getJob(c, ns, 'once')).status!;
      expect(s.succeeded).toBe(1);
      expect(s.uncountedTerminatedPods?.succeeded ?? []).toEqual([]);
      const pa = await c.get<Pod>('pods', a.metadata.name!, { namespace: ns });
      expect(pa.metadata.finalizers ?? []).toEqual([]);
      // The second pod finishes: the Job completes with exactly two successes.
      await finish(c, b, 0);
      await h.settle();
      const done = await getJob(c, ns, 'once');
      expect(done.status!.succeeded).toBe(2);
      expect(done.status!.conditions?.map((x) => x.type)).toEqual([
        'SuccessCriteriaMet',
        'Complete',
      ]);
      expect(done.status!.completionTime).toBeTruthy();
    } finally {
      h.stop();
    }
  });

  it('does not lose a pod whose finalizer went before its count was written', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create<Job>(JOBS, job(ns, 'lost', 3, 1), { namespace: ns });
    let h = await keyedHarness(ns, () => [jobController()]);
    h.observe(c);
    await h.settle();
    const [a] = await pods(c, ns);
    await finish(c, a, 1);
    // The crash: the second status write (which folds the uid into status.failed) fails.
    let statusWrites = 0;
    h.onWrite = (req) => {
      if (
        req.method === 'PUT' &&
        new URL(req.url).pathname.endsWith('/status') &&
        ++statusWrites === 2
      )
        throw new Error('leader evicted');
    };
    await h.pass();
    let s = (await getJob(c, ns, 'lost')).status!;
    expect(s.uncountedTerminatedPods?.failed).toEqual([a.metadata.uid]);
    h.stop();

    h = await keyedHarness(ns, () => [jobController()]);
    h.observe(c);
    try {
      await h.pass();
      s = (await getJob(c, ns, 'lost')).status!;
      expect(s.failed).toBe(1);
      expect(s.uncountedTerminatedPods?.failed ?? []).toEqual([]);
    } finally {
      h.stop();
    }
  });

  it('releases the tracking finalizer of pods orphaned by a Job deleted with --cascade=orphan', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create<Job>(JOBS, job(ns, 'orph', 1, 1), { namespace: ns });
    const h = await keyedHarness(ns, () => [jobController()]);
    h.observe(c);
    try {
      await h.settle();
      const [p] = await pods(c, ns);
      expect(p.metadata.finalizers).toEqual([FINALIZER]);
      // What the garbage collector does for an orphaning delete: the Job goes, its pods lose the owner.
      await c.delete(JOBS, 'orph', { namespace: ns, propagationPolicy: 'Orphan' });
      await c.patch(
        'pods',
        p.metadata.name!,
        'merge',
        { metadata: { ownerReferences: null } },
        {
          namespace: ns,
        },
      );
      await h.settle();
      const after = await c.get<Pod>('pods', p.metadata.name!, { namespace: ns });
      expect(after.metadata.finalizers ?? []).toEqual([]);
    } finally {
      h.stop();
    }
  });
});
