// The delay before a Job replaces failed pods: 10 s, doubling with each failure since the last success.
// k8s: pkg/controller/job/backoff_utils.go (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff in job_controller.go)
import type { Pod } from '../../../src/api/core';
import { parseTime } from '../../../src/lib/time';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** k8s 1.32: MaxJobPodFailureBackOff is 10 minutes (the docs' "six minutes" predates it). */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

/** The delay after `failures` consecutive failures (0 for none). */
export function backoffDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  // Past 2^6 the cap has long been reached; stop before the power overflows.
  const exp = Math.min(failures - 1, 30);
  return Math.min(DEFAULT_POD_FAILURE_BACKOFF_MS * 2 ** exp, MAX_POD_FAILURE_BACKOFF_MS);
}

/** When a pod finished: its latest container termination, else its last condition change. */
export function finishTime(pod: Pod): number | undefined {
  let latest: number | undefined;
  for (const cs of (pod.status?.containerStatuses ?? []) as {
    state?: { terminated?: { finishedAt?: string } };
  }[]) {
    const t = parseTime(cs.state?.terminated?.finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  for (const c of pod.status?.conditions ?? []) {
    const t = parseTime(c.lastTransitionTime);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest ?? parseTime(pod.metadata.deletionTimestamp);
}

/**
 * Milliseconds until new pods may be created: failures after the last success (read from the pods
 * themselves, so a restarted controller keeps the same clock) set the delay from the last failure.
 */
export function remainingBackoffMs(succeeded: Pod[], failed: Pod[], now: number): number {
  const lastSuccess = Math.max(-Infinity, ...succeeded.map((p) => finishTime(p) ?? -Infinity));
  const after = failed
    .map((p) => finishTime(p) ?? now)
    .filter((t) => t > lastSuccess)
    .sort((a, b) => a - b);
  if (!after.length) return 0;
  const wait = after[after.length - 1] + backoffDelayMs(after.length) - now;
  return Math.max(0, wait);
}
