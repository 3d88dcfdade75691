// The CronJob controller and the Job controller against the real API Worker with a
// controllable clock: Replace, Forbid, startingDeadlineSeconds, more than 100 missed schedules, suspend,
// activeDeadlineSeconds with its interim FailureTarget, backoffLimitPerIndex and successPolicy.
import { describe, expect, it } from 'vitest';
import type { CronJob, Job } from '../../src/api/batch';
import type { Pod } from '../../src/api/core';
import type { KubeClient } from '../../src/client/client';
import { cronJobController } from '../../workers/controllers/cronjob';
import { jobController } from '../../workers/controllers/job';
import { apiClient, freshNamespace } from './api';
import { keyedHarness } from './controller-harness';

const CRONJOBS = 'batch/v1/cronjobs';
const JOBS = 'batch/v1/jobs';
const MINUTE = 60_000;

function cronJob(ns: string, name: string, spec: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] },
          },
        },
      },
      ...spec,
    },
  };
}

const jobs = async (c: KubeClient, ns: string) =>
  (await c.list<Job>(JOBS, { namespace: ns })).items.filter((j) => !j.metadata.deletionTimestamp);
const events = async (c: KubeClient, ns: string) =>
  (await c.list('events', { namespace: ns })).items as unknown as {
    reason: string;
    message: string;
  }[];

/** A harness whose clock the test sets; it starts at the next whole minute + 1 s after `created`. */
async function clocked(ns: string, c: KubeClient, created: string) {
  let now = Math.ceil(Date.parse(created) / MINUTE) * MINUTE + MINUTE + 1000;
  const h = await keyedHarness(ns, () => [cronJobController, jobController()], { now: () => now });
  h.observe(c);
  return Object.assign(h, {
    minute: () => Math.floor(now / MINUTE) * MINUTE,
    advance: (ms: number) => void (now += ms),
    set: (ms: number) => void (now = ms),
  });
}

describe('CronJob controller', () => {
  it('replaces the running Job under Replace, and names Jobs after the scheduled minute', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const cj = await c.create<CronJob>(
      CRONJOBS,
      cronJob(ns, 'r', { concurrencyPolicy: 'Replace' }),
      {
        namespace: ns,
      },
    );
    const h = await clocked(ns, c, cj.metadata.creationTimestamp!);
    try {
      await h.pass();
      const first = `r-${h.minute() / MINUTE}`;
      expect((await jobs(c, ns)).map((j) => j.metadata.name)).toEqual([first]);
      let s = (await c.get<CronJob>(CRONJOBS, 'r', { namespace: ns })).status!;
      expect(s.active?.map((a) => a.name)).toEqual([first]);
      expect(Date.parse(s.lastScheduleTime!)).toBe(h.minute());
      h.advance(MINUTE);
      await h.pass();
      await h.pass();
      const second = `r-${h.minute() / MINUTE}`;
      expect((await jobs(c, ns)).map((j) => j.metadata.name)).toEqual([second]);
      s = (await c.get<CronJob>(CRONJOBS, 'r', { namespace: ns })).status!;
      expect(s.active?.map((a) => a.name)).toEqual([second]);
    } finally {
      h.stop();
    }
  });

  it('skips a run under Forbid while one is active, with JobAlreadyActive', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const cj = await c.create<CronJob>(
      CRONJOBS,
      cronJob(ns, 'f', { concurrencyPolicy: 'Forbid' }),
      {
        namespace: ns,
      },
    );
    const h = await clocked(ns, c, cj.metadata.creationTimestamp!);
    try {
      await h.pass();
      h.advance(MINUTE);
      await h.pass();
      expect(await jobs(c, ns)).toHaveLength(1);
      expect((await events(c, ns)).map((e) => e.reason)).toContain('JobAlreadyActive');
    } finally {
      h.stop();
    }
  });

  it('skips schedules older than startingDeadlineSeconds, and warns beyond 100 missed but runs the latest', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const late = await c.create<CronJob>(
      CRONJOBS,
      cronJob(ns, 'late', { startingDeadlineSeconds: 10, schedule: '0 * * * *' }),
      { namespace: ns },
    );
    const many = await c.create<CronJob>(CRONJOBS, cronJob(ns, 'many'), { namespace: ns });
    const h = await clocked(ns, c, late.metadata.creationTimestamp!);
    try {
      // 30 s after an hour: "late" may no longer start it; "many" has missed every minute since.
      const hour = Math.ceil(Date.parse(many.metadata.creationTimestamp!) / 3_600_000) * 3_600_000;
      h.set(hour + 200 * MINUTE + 30_000);
      await h.pass();
      const names = (await jobs(c, ns)).map((j) => j.metadata.name);
      expect(names).toEqual([`many-${(hour + 200 * MINUTE) / MINUTE}`]);
      const reasons = (await events(c, ns)).map((e) => e.reason);
      expect(reasons).toContain('TooManyMissedTimes');
      // "late" looks back only startingDeadlineSeconds: its hour (3 h 20 min ago) is not run late.
      expect(names.some((n) => n!.startsWith('late-'))).toBe(false);
      // 5 s after the next hour it is inside the window and runs.
      h.set(hour + 240 * MINUTE + 5_000);
      await h.pass();
      expect((await jobs(c, ns)).map((j) => j.metadata.name)).toContain(
        `late-${(hour + 240 * MINUTE) / MINUTE}`,
      );
    } finally {
      h.stop();
    }
  });

  it('starts nothing while suspended', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const cj = await c.create<CronJob>(CRONJOBS, cronJob(ns, 's', { suspend: true }), {
      namespace: ns,
    });
    const h = await clocked(ns, c, cj.metadata.creationTimestamp!);
    try {
      await h.pass();
      expect(await jobs(c, ns)).toHaveLength(0);
    } finally {
      h.stop();
    }
  });
});

describe('Job controller time rules', () => {
  it('suspends and resumes: no pods and Suspended=True, then pods and Suspended=False', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const j = await c.create<Job>(
      JOBS,
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'sus', namespace: ns },
        spec: {
          suspend: true,
          parallelism: 2,
          completions: 2,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'b' }] } },
        },
      },
      { namespace: ns },
    );
    const h = await clocked(ns, c, j.metadata.creationTimestamp!);
    try {
      await h.settle();
      let job = await c.get<Job>(JOBS, 'sus', { namespace: ns });
      expect((await c.list<Pod>('pods', { namespace: ns })).items).toHaveLength(0);
      expect(job.status?.conditions).toMatchObject([
        { type: 'Suspended', status: 'True', reason: 'JobSuspended' },
      ]);
      expect(job.status?.startTime).toBeUndefined();
      job.spec.suspend = false;
      await c.update(JOBS, job, { namespace: ns });
      await h.settle();
      job = await c.get<Job>(JOBS, 'sus', { namespace: ns });
      expect((await c.list<Pod>('pods', { namespace: ns })).items).toHaveLength(2);
      expect(job.status?.conditions).toMatchObject([
        { type: 'Suspended', status: 'False', reason: 'JobResumed' },
      ]);
      expect(job.status?.startTime).toBeTruthy();
    } finally {
      h.stop();
    }
  });

  it('fails at activeDeadlineSeconds: FailureTarget at once, Failed once its pods are gone', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const j = await c.create<Job>(
      JOBS,
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'dl', namespace: ns },
        spec: {
          activeDeadlineSeconds: 30,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'b' }] } },
        },
      },
      { namespace: ns },
    );
    const h = await clocked(ns, c, j.metadata.creationTimestamp!);
    try {
      await h.settle();
      const [pod] = (await c.list<Pod>('pods', { namespace: ns })).items;
      // Bound to a node, the pod is deleted gracefully: it lingers until its kubelet removes it.
      await c.createSubresource(
        'pods',
        pod.metadata.name!,
        'binding',
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: pod.metadata.name },
          target: { kind: 'Node', name: 'node-a' },
        },
        { namespace: ns },
      );
      h.advance(31_000);
      await h.settle();
      let job = await c.get<Job>(JOBS, 'dl', { namespace: ns });
      expect(job.status?.conditions?.map((x) => `${x.type}/${x.reason}`)).toEqual([
        'FailureTarget/DeadlineExceeded',
      ]);
      // The kubelet's part: the pod ends and is removed.
      await c.delete('pods', pod.metadata.name!, { namespace: ns, gracePeriodSeconds: 0 });
      await h.settle();
      job = await c.get<Job>(JOBS, 'dl', { namespace: ns });
      expect(job.status?.conditions?.map((x) => `${x.type}/${x.reason}`)).toEqual([
        'FailureTarget/DeadlineExceeded',
        'Failed/DeadlineExceeded',
      ]);
      expect(job.status?.failed).toBe(1);
    } finally {
      h.stop();
    }
  });
});

/** What a kubelet reports for a container that exited. */
async function exited(c: KubeClient, p: Pod, exitCode: number) {
  const fresh = await c.get<Pod>('pods', p.metadata.name!, { namespace: p.metadata.namespace });
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  fresh.status = {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    containerStatuses: [
      {
        name: 'c',
        ready: false,
        restartCount: 0,
        image: 'b',
        imageID: '',
        state: { terminated: { exitCode, startedAt: at, finishedAt: at } },
      } as never,
    ],
  };
  await c.updateStatus('pods', fresh, { namespace: p.metadata.namespace });
}

function indexedJob(ns: string, name: string, spec: Partial<Job['spec']>): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'b' }] } },
      ...spec,
    },
  };
}

const ofIndex = async (c: KubeClient, ns: string, ix: number) =>
  (await c.list<Pod>('pods', { namespace: ns })).items.filter(
    (p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === String(ix),
  );

describe('Indexed Jobs', () => {
  it('retries an index up to backoffLimitPerIndex, then fails past maxFailedIndexes', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const j = await c.create<Job>(
      JOBS,
      indexedJob(ns, 'per', { backoffLimitPerIndex: 1, maxFailedIndexes: 0 }),
      { namespace: ns },
    );
    const h = await clocked(ns, c, j.metadata.creationTimestamp!);
    try {
      await h.settle();
      const [first] = await ofIndex(c, ns, 1);
      await exited(c, first, 1);
      await h.settle();
      // The index waits out its backoff (10 s), then gets a pod that carries the failure count.
      h.advance(11_000);
      await h.settle();
      const again = (await ofIndex(c, ns, 1)).filter((p) => p.metadata.uid !== first.metadata.uid);
      expect(again).toHaveLength(1);
      expect(again[0].metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe(
        '1',
      );
      await exited(c, again[0], 1);
      await h.settle();
      const job = await c.get<Job>(JOBS, 'per', { namespace: ns });
      expect(job.status?.failedIndexes).toBe('1');
      expect(job.status?.conditions?.[0]).toMatchObject({
        type: 'FailureTarget',
        reason: 'MaxFailedIndexesExceeded',
      });
    } finally {
      h.stop();
    }
  });

  it('succeeds by successPolicy once the named index succeeded, ending the other pods', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const j = await c.create<Job>(
      JOBS,
      indexedJob(ns, 'leader', { successPolicy: { rules: [{ succeededIndexes: '0' }] } }),
      { namespace: ns },
    );
    const h = await clocked(ns, c, j.metadata.creationTimestamp!);
    try {
      await h.settle();
      const [zero] = await ofIndex(c, ns, 0);
      await exited(c, zero, 0);
      await h.settle();
      const job = await c.get<Job>(JOBS, 'leader', { namespace: ns });
      expect(job.status?.completedIndexes).toBe('0');
      // The other pods were unscheduled, so they went at once and the Job is Complete.
      expect(job.status?.conditions?.map((x) => `${x.type}/${x.reason}`)).toEqual([
        'SuccessCriteriaMet/SuccessPolicy',
        'Complete/SuccessPolicy',
      ]);
      expect((await c.list<Pod>('pods', { namespace: ns })).items).toHaveLength(1);
    } finally {
      h.stop();
    }
  });
});
