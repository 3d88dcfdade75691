// One sync of one Job: count finished pods exactly once (finalizers + status.uncountedTerminatedPods),
// decide success or failure, create or delete pods, and write the status.
// k8s: pkg/controller/job/job_controller.go syncJob, manageJob, trackJobStatusAndRemoveFinalizers
import { JOB_TRACKING_FINALIZER, type Job, type JobStatus } from '../../../src/api/batch';
import type { Pod } from '../../../src/api/core';
import { isPodActive, isPodReady } from '../../../src/api/pod';
import { isConflict, isNotFound } from '../../../src/client/errors';
import { objectKey } from '../../../src/client/informer';
import { formatIndexes, intervalsOf } from '../../../src/lib/indexes';
import { parseTime, rfc3339 } from '../../../src/lib/time';
import type { ControllerExpectations } from '../../shared/expectations';
import { managerOf, type KeyedContext } from '../framework';
import { remainingBackoffMs } from './backoff';
import {
  deadlineLeftMs,
  failedIndexes,
  failureCondition,
  indexFailures,
  indexedCondition,
  succeededIndexes,
} from './finish';
import type { FinalizerExpectations } from './finalizer-expectations';
import { matchPodFailurePolicy } from './pod-failure-policy';
import { podForJob } from './pod-template';
import {
  ensureCondition,
  findCondition,
  hasTrackingFinalizer,
  isIndexed,
  isPodFailed,
  isSuspended,
  isTerminating,
  newCondition,
  onlyReplaceFailedPods,
  validIndex,
  type FinishedCondition,
} from './util';

const JOBS = 'batch/v1/jobs';
export const MANAGER = managerOf({ name: 'job' });
/** k8s: MaxUncountedPods: keeps uncountedTerminatedPods under ~20 KB. */
const MAX_UNCOUNTED_PODS = 500;
/** k8s: MaxPodCreateDeletePerSync. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class JobSync {
  requeueAfterMs: number | undefined;
  more = false;
  error: string | undefined;
  private job: Job;
  private status: JobStatus;
  private finished: FinishedCondition | undefined;
  private active: Pod[] = [];
  private terminating = 0;
  private ready = 0;
  private succeededIndexes = new Set<number>();
  private prevSucceededIndexes = new Set<number>();
  private failedIndexes: Set<number> | undefined;
  private readonly storedStartTime: string | undefined;

  constructor(
    private readonly ctx: KeyedContext,
    private readonly key: string,
    private readonly expectations: ControllerExpectations,
    private readonly finalizers: FinalizerExpectations,
    job: Job,
    private readonly pods: Pod[],
  ) {
    this.storedStartTime = job.status?.startTime;
    this.job = structuredClone(job);
    this.status = this.job.status ?? {};
    this.job.status = this.status;
  }

  requeue(ms: number) {
    this.requeueAfterMs = Math.min(this.requeueAfterMs ?? Infinity, Math.max(0, ms));
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string) {
    return this.ctx.recorder.event(this.job, type, reason, message).catch(() => undefined);
  }

  private get now() {
    return this.ctx.now();
  }

  async run(): Promise<void> {
    const { job, status } = this;
    const spec = job.spec;
    const satisfied = this.expectations.satisfied(this.key);
    const expectedRm = this.finalizers.get(this.key);
    const uncountedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
    const uncountedFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
    this.active = this.pods.filter(isPodActive);
    this.terminating = this.pods.filter(isTerminating).length;
    this.ready = this.active.filter(isPodReady).length;
    const tracked = (p: Pod) => hasTrackingFinalizer(p) && !expectedRm.has(p.metadata.uid!);
    const newSucceeded = this.pods.filter(
      (p) =>
        tracked(p) && p.status?.phase === 'Succeeded' && !uncountedSucceeded.has(p.metadata.uid!),
    );
    const newFailed = this.pods.filter(
      (p) => tracked(p) && isPodFailed(p, job) && !uncountedFailed.has(p.metadata.uid!),
    );
    const rules = spec.podFailurePolicy?.rules;
    let succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncountedSucceeded.size;
    const failed =
      (status.failed ?? 0) +
      newFailed.filter((p) => matchPodFailurePolicy(rules, p).countFailed).length +
      uncountedFailed.size;

    if (!status.startTime && !isSuspended(job)) status.startTime = rfc3339(this.now);

    this.finished = failureCondition(job, this.pods, failed, this.now);
    const left = deadlineLeftMs(job, this.now);
    if (!this.finished && left !== undefined) this.requeue(left);

    if (isIndexed(job)) {
      const ixs = succeededIndexes(job, this.pods);
      this.prevSucceededIndexes = ixs.prev;
      this.succeededIndexes = ixs.all;
      succeeded = this.succeededIndexes.size;
      if (spec.backoffLimitPerIndex !== undefined)
        this.failedIndexes = failedIndexes(job, this.pods, this.succeededIndexes);
      this.finished ??= indexedCondition(job, this.succeededIndexes, this.failedIndexes);
    }

    let suspendChanged = false;
    let activeCount = this.active.length;
    if (this.finished) {
      const deleted = await this.deletePods(this.active, false);
      if (deleted !== this.active.length || !satisfied) this.finished = undefined;
      activeCount -= deleted;
      this.terminating += deleted;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        activeCount = await this.manageJob(succeeded);
        managed = true;
      }
      const complete =
        spec.completions === undefined || spec.completions === null
          ? succeeded > 0 && activeCount === 0
          : succeeded >= spec.completions && activeCount === 0;
      if (complete)
        this.finished = {
          type: 'SuccessCriteriaMet',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
        };
      else if (managed) {
        status.conditions ??= [];
        if (isSuspended(job)) {
          if (
            ensureCondition(
              status.conditions,
              'Suspended',
              'True',
              'JobSuspended',
              'Job suspended',
              this.now,
            )
          ) {
            suspendChanged = true;
            await this.event('Normal', 'Suspended', 'Job suspended');
          }
        } else if (
          ensureCondition(
            status.conditions,
            'Suspended',
            'False',
            'JobResumed',
            'Job resumed',
            this.now,
          )
        ) {
          suspendChanged = true;
          await this.event('Normal', 'Resumed', 'Job resumed');
          // k8s: activeDeadlineSeconds counts from the last resume.
          status.startTime = rfc3339(this.now);
        }
      }
    }
    const needsUpdate =
      suspendChanged ||
      activeCount !== (status.active ?? 0) ||
      this.ready !== status.ready ||
      this.terminating !== status.terminating ||
      status.startTime !== this.storedStartTime;
    status.active = activeCount;
    status.ready = this.ready;
    status.terminating = this.terminating;
    await this.trackStatus(needsUpdate, uncountedSucceeded, uncountedFailed);
  }

  // k8s: manageJob
  private async manageJob(succeeded: number): Promise<number> {
    const { job } = this;
    const spec = job.spec;
    let active = this.active.length;
    if (isSuspended(job)) {
      const removed = await this.deletePods(this.active, true);
      this.terminating += removed;
      return active - removed;
    }
    const parallelism = spec.parallelism ?? 1;
    let wantActive: number;
    if (spec.completions === undefined || spec.completions === null)
      wantActive = succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(spec.completions - succeeded, parallelism));
    const toDelete = this.activePodsForRemoval(Math.max(0, active - wantActive));
    if (toDelete.length) {
      const removed = await this.deletePods(
        toDelete.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC),
        true,
      );
      this.terminating += removed;
      return active - removed;
    }
    const terminating = onlyReplaceFailedPods(job) ? this.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return active;
    const finished = this.pods.filter((p) => !isPodActive(p));
    if (spec.backoffLimitPerIndex === undefined) {
      const wait = remainingBackoffMs(
        finished.filter((p) => p.status?.phase === 'Succeeded'),
        finished.filter((p) => isPodFailed(p, job)),
        this.now,
      );
      if (wait > 0) {
        this.requeue(wait);
        return active;
      }
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: (number | undefined)[] = Array.from({ length: diff }, () => undefined);
    const failures =
      spec.backoffLimitPerIndex !== undefined ? indexFailures(this.job, this.pods) : undefined;
    if (isIndexed(job)) {
      const busy = new Set<number>(this.succeededIndexes);
      for (const p of this.active) {
        const ix = validIndex(p, job);
        if (ix !== undefined) busy.add(ix);
      }
      for (const ix of this.failedIndexes ?? []) busy.add(ix);
      // A terminating pod's index waits for it when only failed pods are replaced.
      if (onlyReplaceFailedPods(job))
        for (const p of this.pods) {
          const ix = validIndex(p, job);
          if (ix !== undefined && isTerminating(p)) busy.add(ix);
        }
      const pending: number[] = [];
      for (let i = 0; i < (spec.completions ?? 0) && pending.length < diff; i++) {
        if (busy.has(i)) continue;
        if (failures) {
          const ofIndex = this.pods.filter((p) => validIndex(p, job) === i && !isPodActive(p));
          const wait = remainingBackoffMs(
            [],
            ofIndex.filter((p) => isPodFailed(p, job)),
            this.now,
          );
          if (wait > 0) {
            this.requeue(wait);
            continue;
          }
        }
        pending.push(i);
      }
      indexes = pending;
    }
    if (!indexes.length) return active;
    if (indexes.length > this.ctx.budget.left) {
      indexes = indexes.slice(0, this.ctx.budget.left);
      this.more = true;
    }
    if (!indexes.length) return active;
    this.expectations.expect(this.key, indexes.length);
    this.ctx.budget.take(indexes.length);
    const results = await Promise.allSettled(
      indexes.map((ix) =>
        this.ctx.client.create<Pod>(
          'pods',
          podForJob(
            job,
            ix,
            ix === undefined ? undefined : (failures?.get(ix) ?? (failures ? 0 : undefined)),
          ),
          { namespace: job.metadata.namespace, fieldManager: MANAGER },
        ),
      ),
    );
    for (const r of results) {
      if (r.status === 'fulfilled') {
        active++;
        await this.event('Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
      } else {
        this.expectations.creationObserved(this.key);
        this.error ??= `FailedCreate: ${errorText(r.reason)}`;
        await this.event('Warning', 'FailedCreate', `Error creating: ${errorText(r.reason)}`);
      }
    }
    return active;
  }

  // k8s: activePodsForRemoval: pods of an index that is done or taken twice first, then the least valuable.
  private activePodsForRemoval(rmAtLeast: number): Pod[] {
    const { job } = this;
    const rm: Pod[] = [];
    let rest = this.active;
    if (isIndexed(job)) {
      const seen = new Set<number>();
      rest = [];
      for (const p of [...this.active].sort(byValue)) {
        const ix = validIndex(p, job);
        if (ix === undefined || this.succeededIndexes.has(ix) || seen.has(ix)) rm.push(p);
        else {
          seen.add(ix);
          rest.push(p);
        }
      }
      rest.reverse();
    } else rest = [...rest].sort(byValue);
    const need = Math.max(0, rmAtLeast - rm.length);
    return [...rm, ...rest.slice(0, need)];
  }

  /**
   * Deletes pods. With `dropFinalizer` (pods a running Job no longer wants) the finalizer goes first, as
   * upstream's deleteJobPods does; a finishing Job keeps it, and tracking removes it once counted.
   */
  private async deletePods(pods: Pod[], dropFinalizer: boolean): Promise<number> {
    if (!pods.length) return 0;
    if (pods.length > this.ctx.budget.left / (dropFinalizer ? 2 : 1)) {
      pods = pods.slice(0, Math.floor(this.ctx.budget.left / (dropFinalizer ? 2 : 1)));
      this.more = true;
    }
    this.expectations.expect(
      this.key,
      0,
      pods.map((p) => objectKey(p)),
    );
    let deleted = 0;
    await Promise.all(
      pods.map(async (p) => {
        try {
          if (dropFinalizer && hasTrackingFinalizer(p)) await this.removeFinalizer(p);
          this.ctx.budget.take();
          await this.ctx.client.delete('pods', p.metadata.name!, {
            namespace: p.metadata.namespace,
            preconditions: { uid: p.metadata.uid },
          });
          deleted++;
        } catch (e) {
          this.expectations.deletionObserved(this.key, objectKey(p));
          if (isNotFound(e)) deleted++;
          else this.error ??= `FailedDelete: ${errorText(e)}`;
        }
      }),
    );
    return deleted;
  }

  private async removeFinalizer(p: Pod): Promise<void> {
    this.ctx.budget.take();
    await this.ctx.client.patch(
      'pods',
      p.metadata.name!,
      'strategic',
      {
        metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
      },
      { namespace: p.metadata.namespace, fieldManager: MANAGER },
    );
  }

  // k8s: trackJobStatusAndRemoveFinalizers + flushUncountedAndRemoveFinalizers + enactJobFinished
  private async trackStatus(
    needsFlushIn: boolean,
    uncountedSucceeded: Set<string>,
    uncountedFailed: Set<string>,
  ): Promise<void> {
    let needsFlush = needsFlushIn;
    const { job, status } = this;
    const indexed = isIndexed(job);
    const expectedRm = this.finalizers.get(this.key);
    const withFinalizer = new Set<string>();
    for (const p of this.pods)
      if (hasTrackingFinalizer(p) && !expectedRm.has(p.metadata.uid!))
        withFinalizer.add(p.metadata.uid!);
    const uncounted = { succeeded: [...uncountedSucceeded], failed: [...uncountedFailed] };
    status.uncountedTerminatedPods = uncounted;
    if (this.cleanUncounted(withFinalizer)) needsFlush = true;
    const toRemove: Pod[] = [];
    const newIndexes: number[] = [];
    let reachedMax = false;
    const pods = indexed
      ? [...this.pods].sort((a, b) => (validIndex(a, job) ?? -1) - (validIndex(b, job) ?? -1))
      : this.pods;
    for (const p of pods) {
      const uid = p.metadata.uid!;
      if (!hasTrackingFinalizer(p) || expectedRm.has(uid)) continue;
      const considerFailed = isPodFailed(p, job);
      const canRemove =
        !!job.metadata.deletionTimestamp ||
        !!this.finished ||
        p.status?.phase === 'Succeeded' ||
        considerFailed;
      if (!canRemove) continue;
      toRemove.push(p);
      if (p.status?.phase === 'Succeeded' && !uncountedFailed.has(uid)) {
        if (indexed) {
          const ix = validIndex(p, job);
          if (ix !== undefined && !this.prevSucceededIndexes.has(ix)) {
            newIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!uncountedSucceeded.has(uid)) {
          uncounted.succeeded.push(uid);
          uncountedSucceeded.add(uid);
          needsFlush = true;
        }
      } else if (
        considerFailed ||
        (this.finished &&
          this.finished.type !== 'SuccessCriteriaMet' &&
          this.finished.type !== 'Complete')
      ) {
        if (!uncountedFailed.has(uid) && (!indexed || validIndex(p, job) !== undefined)) {
          if (matchPodFailurePolicy(job.spec.podFailurePolicy?.rules, p).countFailed) {
            uncounted.failed.push(uid);
            uncountedFailed.add(uid);
            needsFlush = true;
          }
        }
      }
      if (
        newIndexes.length + uncounted.succeeded.length + uncounted.failed.length >=
        MAX_UNCOUNTED_PODS
      ) {
        reachedMax = true;
        this.more = true;
        break;
      }
    }
    if (indexed) {
      const done = new Set([...this.prevSucceededIndexes, ...newIndexes]);
      const text = formatIndexes(intervalsOf(done));
      if (text !== (status.completedIndexes ?? '')) needsFlush = true;
      status.succeeded = done.size;
      status.completedIndexes = text;
      if (this.failedIndexes) {
        const f = formatIndexes(intervalsOf(this.failedIndexes));
        if (f !== status.failedIndexes) {
          status.failedIndexes = f;
          needsFlush = true;
        }
      }
    }
    status.conditions ??= [];
    if (this.finished?.type === 'FailureTarget') {
      status.conditions.push(
        newCondition(
          'FailureTarget',
          'True',
          this.finished.reason,
          this.finished.message,
          this.now,
        ),
      );
      needsFlush = true;
      this.finished = { ...this.finished, type: 'Failed' };
    }
    if (this.finished?.type === 'SuccessCriteriaMet') {
      if (findCondition(status.conditions, 'SuccessCriteriaMet')?.status !== 'True') {
        status.conditions.push(
          newCondition(
            'SuccessCriteriaMet',
            'True',
            this.finished.reason,
            this.finished.message,
            this.now,
          ),
        );
        needsFlush = true;
      }
      this.finished = { ...this.finished, type: 'Complete' };
    }
    // Flush first: the uids are in status before their finalizers go, so a crash in between loses nothing.
    if (needsFlush) {
      await this.writeStatus();
      needsFlush = false;
    }
    if (toRemove.length) {
      this.finalizers.expect(
        this.key,
        toRemove.map((p) => p.metadata.uid!),
      );
      await Promise.all(
        toRemove.map(async (p) => {
          try {
            await this.removeFinalizer(p);
            withFinalizer.delete(p.metadata.uid!);
          } catch (e) {
            this.finalizers.observed(this.key, p.metadata.uid!);
            if (isNotFound(e)) withFinalizer.delete(p.metadata.uid!);
            else this.error ??= `removing tracking finalizer: ${errorText(e)}`;
          }
        }),
      );
    }
    if (this.cleanUncounted(withFinalizer)) needsFlush = true;
    let finishedNow = false;
    const f = this.finished;
    const st = this.status;
    const u = st.uncountedTerminatedPods!;
    if (f && !reachedMax && !(u.succeeded?.length || u.failed?.length) && this.terminating === 0) {
      st.conditions ??= [];
      ensureCondition(st.conditions, f.type, 'True', f.reason, f.message, this.now);
      if (f.type === 'Complete')
        st.completionTime = findCondition(st.conditions, 'Complete')!.lastTransitionTime;
      needsFlush = true;
      finishedNow = true;
    }
    if (needsFlush) {
      await this.writeStatus();
      if (finishedNow) {
        if (f!.type === 'Complete') await this.event('Normal', 'Completed', 'Job completed');
        else await this.event('Warning', f!.reason, f!.message);
      }
    }
  }

  /** k8s: cleanUncountedPodsWithoutFinalizers: uids whose finalizer is gone move into the counters. */
  private cleanUncounted(withFinalizer: Set<string>): boolean {
    const u = this.status.uncountedTerminatedPods!;
    let changed = false;
    const keepS = (u.succeeded ?? []).filter((x) => withFinalizer.has(x));
    if (keepS.length !== (u.succeeded ?? []).length) {
      this.status.succeeded = (this.status.succeeded ?? 0) + (u.succeeded!.length - keepS.length);
      u.succeeded = keepS;
      changed = true;
    }
    const keepF = (u.failed ?? []).filter((x) => withFinalizer.has(x));
    if (keepF.length !== (u.failed ?? []).length) {
      this.status.failed = (this.status.failed ?? 0) + (u.failed!.length - keepF.length);
      u.failed = keepF;
      changed = true;
    }
    return changed;
  }

  private async writeStatus(): Promise<void> {
    this.ctx.budget.take();
    const { status } = this;
    const u = status.uncountedTerminatedPods;
    const body: Job = {
      ...this.job,
      status: {
        ...status,
        uncountedTerminatedPods: {
          ...(u?.succeeded?.length ? { succeeded: u.succeeded } : {}),
          ...(u?.failed?.length ? { failed: u.failed } : {}),
        },
      },
    };
    // A conflict (the cache was behind) throws: nothing was written, and the key is retried.
    this.job = await this.ctx.client.updateStatus<Job>(JOBS, body, {
      namespace: this.job.metadata.namespace,
      fieldManager: MANAGER,
    });
    // Keep counting on what was stored (resourceVersion included) for a second flush in this sync.
    const stored = this.job.status ?? {};
    stored.uncountedTerminatedPods = {
      succeeded: [...(u?.succeeded ?? [])],
      failed: [...(u?.failed ?? [])],
    };
    this.status = stored;
    this.job.status = stored;
  }
}

// Least valuable first: unscheduled, then pending, then not ready, then the newest.
function byValue(a: Pod, b: Pod): number {
  const rank = (p: Pod) =>
    !p.spec?.nodeName ? 0 : p.status?.phase !== 'Running' ? 1 : !isPodReady(p) ? 2 : 3;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  return (
    (parseTime(b.metadata.creationTimestamp) ?? 0) - (parseTime(a.metadata.creationTimestamp) ?? 0)
  );
}
