// When a Job is done: the failure rules (pod failure policy, backoffLimit, activeDeadlineSeconds) and,
// for Indexed Jobs, succeeded and failed indexes, maxFailedIndexes and the success policy.
// k8s: pkg/controller/job/job_controller.go syncJob (the finishedCondition part), indexed_job_utils.go
import { JOB_INDEX_FAILURE_COUNT_ANNOTATION, type Job } from '../../../src/api/batch';
import type { Pod } from '../../../src/api/core';
import { indexesOf, parseIndexes } from '../../../src/lib/indexes';
import { parseTime } from '../../../src/lib/time';
import { matchPodFailurePolicy } from './pod-failure-policy';
import { matchSuccessPolicy } from './success-policy';
import {
  findCondition,
  isPodFailed,
  isSuspended,
  validIndex,
  type FinishedCondition,
} from './util';

const target = (reason: string, message: string): FinishedCondition => ({
  type: 'FailureTarget',
  reason,
  message,
});

// k8s: pastBackoffLimitOnFailure: restarts of running pods count under restartPolicy OnFailure.
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  const policy = (job.spec.template.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
  if (policy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const cs of [
      ...((p.status?.initContainerStatuses as { restartCount?: number }[] | undefined) ?? []),
      ...(p.status?.containerStatuses ?? []),
    ])
      restarts += cs.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Milliseconds left before activeDeadlineSeconds (≤ 0: past it); undefined without a running deadline. */
export function deadlineLeftMs(job: Job, now: number): number | undefined {
  const start = parseTime(job.status?.startTime);
  const d = job.spec.activeDeadlineSeconds;
  if (d === undefined || d === null || start === undefined || isSuspended(job)) return undefined;
  return start + d * 1000 - now;
}

/**
 * The Job's finishing condition from its conditions and failures, before indexes are looked at:
 * a recorded SuccessCriteriaMet stands, a recorded FailureTarget becomes Failed, then a FailJob
 * rule, backoffLimit and the deadline. `failed` counts failures the policy does not ignore.
 */
export function failureCondition(
  job: Job,
  pods: Pod[],
  failed: number,
  now: number,
): FinishedCondition | undefined {
  const conds = job.status?.conditions;
  const met = findCondition(conds, 'SuccessCriteriaMet');
  if (met?.status === 'True')
    return { type: 'SuccessCriteriaMet', reason: met.reason ?? '', message: met.message ?? '' };
  const t = findCondition(conds, 'FailureTarget');
  if (t?.status === 'True')
    return { type: 'Failed', reason: t.reason ?? '', message: t.message ?? '' };
  const rules = job.spec.podFailurePolicy?.rules;
  if (rules)
    for (const p of pods) {
      if (!isPodFailed(p, job)) continue;
      const m = matchPodFailurePolicy(rules, p).failJobMessage;
      if (m) return target('PodFailurePolicy', m);
    }
  if (failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods))
    return target('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
  const left = deadlineLeftMs(job, now);
  if (left !== undefined && left <= 0)
    return target('DeadlineExceeded', 'Job was active longer than specified deadline');
  return undefined;
}

/** Indexes recorded in status.completedIndexes, and those plus the indexes of succeeded pods. */
export function succeededIndexes(job: Job, pods: Pod[]): { prev: Set<number>; all: Set<number> } {
  let prev = new Set<number>();
  try {
    prev = indexesOf(parseIndexes(job.status?.completedIndexes ?? '', job.spec.completions ?? 0));
  } catch {
    // A malformed value is recomputed from the pods.
  }
  const all = new Set(prev);
  for (const p of pods) {
    const ix = validIndex(p, job);
    if (ix !== undefined && p.status?.phase === 'Succeeded') all.add(ix);
  }
  return { prev, all };
}

/** Failures per index: the count a pod carries from its predecessors, plus its own failure. */
export function indexFailures(job: Job, pods: Pod[]): Map<number, number> {
  const rules = job.spec.podFailurePolicy?.rules;
  const out = new Map<number, number>();
  for (const p of pods) {
    const ix = validIndex(p, job);
    if (ix === undefined) continue;
    const carried = Number(p.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT_ANNOTATION] ?? 0) || 0;
    const own = isPodFailed(p, job) && matchPodFailurePolicy(rules, p).countFailed ? 1 : 0;
    out.set(ix, Math.max(out.get(ix) ?? 0, carried + own));
  }
  return out;
}

/** Indexes past backoffLimitPerIndex or failed by a FailIndex rule, and not succeeded. */
export function failedIndexes(job: Job, pods: Pod[], succeeded: Set<number>): Set<number> {
  let out = new Set<number>();
  try {
    out = indexesOf(parseIndexes(job.status?.failedIndexes ?? '', job.spec.completions ?? 0));
  } catch {
    // A malformed value is recomputed from the pods.
  }
  const limit = job.spec.backoffLimitPerIndex ?? 0;
  for (const [ix, n] of indexFailures(job, pods)) if (n > limit) out.add(ix);
  for (const p of pods) {
    const ix = validIndex(p, job);
    if (ix === undefined || !isPodFailed(p, job)) continue;
    if (matchPodFailurePolicy(job.spec.podFailurePolicy?.rules, p).action === 'FailIndex')
      out.add(ix);
  }
  for (const ix of succeeded) out.delete(ix);
  return out;
}

/** An Indexed Job's own finishing condition: too many failed indexes, all decided, or success policy. */
export function indexedCondition(
  job: Job,
  succeeded: Set<number>,
  failed: Set<number> | undefined,
): FinishedCondition | undefined {
  const completions = job.spec.completions ?? 0;
  if (failed) {
    const max = job.spec.maxFailedIndexes;
    if (max !== undefined && failed.size > max)
      return target(
        'MaxFailedIndexesExceeded',
        'Job has exceeded the specified maximal number of failed indexes',
      );
    if (failed.size > 0 && failed.size + succeeded.size >= completions)
      return target('FailedIndexes', 'Job has failed indexes');
  }
  const msg = matchSuccessPolicy(job.spec.successPolicy?.rules, completions, succeeded);
  return msg ? { type: 'SuccessCriteriaMet', reason: 'SuccessPolicy', message: msg } : undefined;
}
