// Small pure rules of the Job controller: which pods count as failed, completion indexes, conditions.
// k8s: pkg/controller/job/job_controller.go (isPodFailed, ensureJobConditionStatus), indexed_job_utils.go
import {
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_TRACKING_FINALIZER,
  type Job,
} from '../../../src/api/batch';
import type { Condition, Pod } from '../../../src/api/core';
import { rfc3339 } from '../../../src/lib/time';

export const hasTrackingFinalizer = (p: Pod) =>
  !!p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER);

export const isIndexed = (job: Job) => job.spec.completionMode === 'Indexed';
export const isSuspended = (job: Job) => job.spec.suspend === true;

/** k8s: onlyReplaceFailedPods: with a pod failure policy, or podReplacementPolicy Failed. */
export const onlyReplaceFailedPods = (job: Job) =>
  job.spec.podReplacementPolicy === 'Failed' || !!job.spec.podFailurePolicy;

/**
 * k8s: isPodFailed: phase Failed; and unless only failed pods are replaced, a pod deleted before it
 * succeeded (it may never reach a phase: its node is gone).
 */
export function isPodFailed(p: Pod, job: Job): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

export const isTerminating = (p: Pod) =>
  !!p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';

/** The pod's completion index, or undefined when it has none or it is not a whole number. */
export function completionIndex(p: Pod): number | undefined {
  const v = p.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export function validIndex(p: Pod, job: Job): number | undefined {
  const ix = completionIndex(p);
  return ix !== undefined && ix < (job.spec.completions ?? 0) ? ix : undefined;
}

export interface FinishedCondition {
  type: 'Complete' | 'Failed' | 'FailureTarget' | 'SuccessCriteriaMet';
  reason: string;
  message: string;
}

export function newCondition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): Condition {
  const at = rfc3339(now);
  return { type, status, lastProbeTime: at, lastTransitionTime: at, reason, message };
}

export const findCondition = (conds: Condition[] | undefined, type: string) =>
  conds?.find((c) => c.type === type);

/**
 * k8s: ensureJobConditionStatus: sets the condition when it changes; a False condition that was
 * never there is not added. Returns whether anything changed.
 */
export function ensureCondition(
  conds: Condition[],
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): boolean {
  const i = conds.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conds[i];
    if (c.status === status && c.reason === reason && c.message === message) return false;
    conds[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  conds.push(newCondition(type, status, reason, message, now));
  return true;
}
