// CronJob controller: creates a Job at each scheduled time, keeps the active list, history limits and
// status, and requeues itself for the next fire time (the leader's alarm wakes it then).
// k8s: pkg/controller/cronjob/cronjob_controllerv2.go syncCronJob, cleanupFinishedJobs; utils.go getJobFromTemplate2
import {
  CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION,
  jobFinished,
  type CronJob,
  type CronJobStatus,
  type Job,
  type ObjectReference,
} from '../../../src/api/batch';
import { controllerOf, controllerRef } from '../../../src/api/owner';
import { isAlreadyExists, isNotFound } from '../../../src/client/errors';
import { CronParseError, parseCron, rfc3339InZone } from '../../../src/lib/cron';
import { deepEqual } from '../../../src/lib/json';
import { parseTime, rfc3339 } from '../../../src/lib/time';
import { controllerUidOf } from '../../shared/cache';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';
import { MANY_MISSED, mostRecentScheduleTime, untilNext } from './schedule';

const CRONJOBS = 'batch/v1/cronjobs';
const JOBS = 'batch/v1/jobs';
const MANAGER = managerOf({ name: 'cronjob' });

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** k8s: getJobFromTemplate2: the name is <cronjob>-<scheduled time in minutes since the epoch>. */
export function jobForSchedule(cj: CronJob, scheduled: number): Job {
  const t = cj.spec.jobTemplate;
  const annotations: Record<string, string> = {
    ...(t.metadata?.annotations ?? {}),
    // k8s: the scheduled time in the CronJob's time zone.
    [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339InZone(scheduled, cj.spec.timeZone),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`,
      namespace: cj.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [controllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(t.spec),
  };
}

const refOf = (j: Job): ObjectReference => ({
  kind: 'Job',
  namespace: j.metadata.namespace,
  name: j.metadata.name,
  uid: j.metadata.uid,
  apiVersion: 'batch/v1',
  resourceVersion: j.metadata.resourceVersion,
});

const finishedAt = (j: Job) =>
  parseTime(j.status?.completionTime) ?? parseTime(jobFinished(j)?.time) ?? 0;

class CronJobSync {
  requeueAfterMs: number | undefined;
  status: CronJobStatus;
  constructor(
    private readonly ctx: KeyedContext,
    private readonly cj: CronJob,
    private readonly jobs: Job[],
  ) {
    this.status = structuredClone(cj.status ?? {});
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string) {
    return this.ctx.recorder.event(this.cj, type, reason, message).catch(() => undefined);
  }

  /** k8s: the active list follows the Jobs: finished ones leave it, unknown running ones join it. */
  private async reconcileActive(): Promise<void> {
    const active = this.status.active ?? [];
    const byUid = new Map(this.jobs.map((j) => [j.metadata.uid!, j]));
    const next: ObjectReference[] = [];
    for (const ref of active) {
      const j = byUid.get(ref.uid!);
      if (j) {
        if (!jobFinished(j)) next.push(ref);
        continue;
      }
      // Not in the cache: it may be too new for it. Ask the API before dropping it (upstream does too).
      try {
        const live = await this.ctx.client.get<Job>(JOBS, ref.name!, { namespace: ref.namespace });
        if (live.metadata.uid === ref.uid && !jobFinished(live)) next.push(ref);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        await this.event('Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      }
    }
    for (const j of this.jobs) {
      const listed = active.some((r) => r.uid === j.metadata.uid);
      const f = jobFinished(j);
      if (!f && !listed) next.push(refOf(j));
      if (f && listed)
        await this.event(
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${j.metadata.name}, condition: ${f.type}`,
        );
      if (f?.type === 'Complete') {
        const at = finishedAt(j);
        const last = parseTime(this.status.lastSuccessfulTime) ?? 0;
        if (at > last) this.status.lastSuccessfulTime = rfc3339(at);
      }
    }
    this.status.active = next.length ? next : undefined;
  }

  // k8s: cleanupFinishedJobs / removeOldestJobs
  private async cleanupHistory(): Promise<void> {
    const { spec } = this.cj;
    const sets: [Job[], number | undefined][] = [
      [
        this.jobs.filter((j) => jobFinished(j)?.type === 'Complete'),
        spec.successfulJobsHistoryLimit,
      ],
      [this.jobs.filter((j) => jobFinished(j)?.type === 'Failed'), spec.failedJobsHistoryLimit],
    ];
    for (const [finished, limit] of sets) {
      if (limit === undefined || limit === null || finished.length <= limit) continue;
      const oldest = [...finished]
        .sort(
          (a, b) => (parseTime(a.status?.startTime) ?? 0) - (parseTime(b.status?.startTime) ?? 0),
        )
        .slice(0, finished.length - limit);
      for (const j of oldest) await this.deleteJob(j, 'SuccessfulDelete');
    }
  }

  private async deleteJob(j: Job, reason: string): Promise<void> {
    this.ctx.budget.take();
    try {
      await this.ctx.client.delete(JOBS, j.metadata.name!, {
        namespace: j.metadata.namespace,
        propagationPolicy: 'Background',
        preconditions: { uid: j.metadata.uid },
      });
      await this.event('Normal', reason, `Deleted job ${j.metadata.name}`);
    } catch (e) {
      if (!isNotFound(e))
        await this.event('Warning', 'FailedDelete', `Deleted job: ${errorText(e)}`);
    }
  }

  async run(): Promise<void> {
    const { cj } = this;
    await this.reconcileActive();
    if (!cj.metadata.deletionTimestamp) await this.cleanupHistory();
    if (!cj.metadata.deletionTimestamp && !cj.spec.suspend) await this.schedule();
    await this.writeStatus();
  }

  private async schedule(): Promise<void> {
    const { cj, ctx } = this;
    let schedule;
    try {
      schedule = parseCron(cj.spec.schedule);
    } catch (e) {
      if (!(e instanceof CronParseError)) throw e;
      await this.event(
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${e.message}`,
      );
      return;
    }
    const zone = cj.spec.timeZone;
    const now = ctx.now();
    const due = mostRecentScheduleTime({ ...cj, status: this.status }, now, schedule, zone);
    const wait = untilNext(schedule, now, zone);
    if (wait !== undefined) this.requeueAfterMs = wait;
    if (due.time === undefined) return;
    if (due.missed > MANY_MISSED)
      await this.event(
        'Warning',
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      );
    const sds = cj.spec.startingDeadlineSeconds;
    if (sds !== undefined && sds !== null && due.time + sds * 1000 < now) {
      await this.event(
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${rfc3339(due.time)}`,
      );
      return;
    }
    const active = this.status.active ?? [];
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length) {
      await this.event(
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return;
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of active) {
        const j = this.jobs.find((x) => x.metadata.uid === ref.uid);
        if (j) await this.deleteJob(j, 'SuccessfulDelete');
      }
      this.status.active = undefined;
    }
    const job = jobForSchedule(cj, due.time);
    ctx.budget.take();
    let created: Job;
    try {
      created = await ctx.client.create<Job>(JOBS, job, {
        namespace: cj.metadata.namespace,
        fieldManager: MANAGER,
      });
      await this.event('Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        await this.event('Warning', 'FailedCreate', `Error creating job: ${errorText(e)}`);
        throw e;
      }
      // Made by an earlier pass whose status write was lost: record it, do not make another.
      created = await ctx.client.get<Job>(JOBS, job.metadata.name!, {
        namespace: cj.metadata.namespace,
      });
      if (controllerOf(created)?.uid !== cj.metadata.uid) return;
    }
    const refs = this.status.active ?? [];
    if (!refs.some((r) => r.uid === created.metadata.uid)) refs.push(refOf(created));
    this.status.active = refs;
    this.status.lastScheduleTime = rfc3339(due.time);
  }

  private async writeStatus(): Promise<void> {
    const old = this.cj.status ?? {};
    const norm = (s: CronJobStatus) => ({
      active: (s.active ?? []).map((r) => r.uid),
      lastScheduleTime: s.lastScheduleTime,
      lastSuccessfulTime: s.lastSuccessfulTime,
    });
    if (deepEqual(norm(old), norm(this.status))) return;
    this.ctx.budget.take();
    try {
      await this.ctx.client.updateStatus(
        CRONJOBS,
        { ...this.cj, status: this.status },
        {
          namespace: this.cj.metadata.namespace,
          fieldManager: MANAGER,
        },
      );
    } catch (e) {
      // Gone meanwhile: nothing to record. A conflict throws, and the key is retried on fresh state.
      if (!isNotFound(e)) throw e;
    }
  }
}

export const cronJobController: KeyedControllerDef = {
  name: 'cronjob',
  reconciles: CRONJOBS,
  reads: [CRONJOBS, JOBS],
  // A Job's change (it finished, it went away) enqueues its CronJob.
  owns: [JOBS],
  indexes: [{ resource: JOBS, name: 'owner', fn: controllerUidOf }],
  async reconcile(ctx, key) {
    const cj = ctx.cache.kind<CronJob>(CRONJOBS).get(key);
    if (!cj) return;
    const jobs = ctx.cache
      .kind<Job>(JOBS)
      .byIndex('owner', cj.metadata.uid!)
      .filter((j) => controllerOf(j)?.kind === 'CronJob');
    const s = new CronJobSync(ctx, cj, jobs);
    await s.run();
    return s.requeueAfterMs !== undefined ? { requeueAfterMs: s.requeueAfterMs } : undefined;
  },
};
