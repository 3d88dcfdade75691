// A budget's arithmetic: expected pods, desired and current healthy, disruptions allowed, and which
// evictions the API server reported are still awaited. Pure: the caches' contents come in as values.
// k8s: pkg/controller/disruption/disruption.go getExpectedPodCount, countHealthyPods,
// buildDisruptedPodMap, updatePdbStatus
import type { Pod } from '../../../src/api/core';
import { isPodReady } from '../../../src/api/pod';
import {
  DELETION_TIMEOUT_MS,
  type PodDisruptionBudget,
  type PodDisruptionBudgetStatus,
} from '../../../src/api/policy';
import { scaledIntOrPercent } from '../../../src/lib/intstr';

export interface Counts {
  expected: number;
  desiredHealthy: number;
  unmanaged: string[];
}

/**
 * An integer minAvailable counts the matching pods; a percentage, or any maxUnavailable, counts
 * against the controllers' scale (`scale()`, which throws when a pod's controller is unknown).
 */
export function expectedCounts(
  pdb: PodDisruptionBudget,
  pods: Pod[],
  scale: () => { expected: number; unmanaged: string[] },
): Counts {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expected, unmanaged } = scale();
    const max = scaledIntOrPercent(maxUnavailable, expected, true);
    return { expected, desiredHealthy: Math.max(0, expected - max), unmanaged };
  }
  if (typeof minAvailable === 'number')
    return { expected: pods.length, desiredHealthy: minAvailable, unmanaged: [] };
  if (typeof minAvailable === 'string') {
    const { expected, unmanaged } = scale();
    return {
      expected,
      desiredHealthy: scaledIntOrPercent(minAvailable, expected, true),
      unmanaged,
    };
  }
  return { expected: 0, desiredHealthy: 0, unmanaged: [] };
}

/**
 * The evictions still awaited: a pod in status.disruptedPods that is not yet terminating, for at
 * most DELETION_TIMEOUT after the eviction; `recheckAt` is when the first of them runs out.
 */
export function awaitedDisruptions(
  pdb: PodDisruptionBudget,
  pods: Pod[],
  now: number,
): { disrupted: Record<string, string>; recheckAt?: number; notDeleted: Pod[] } {
  const old = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  const notDeleted: Pod[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = old[pod.metadata.name!];
    if (at === undefined) continue;
    const expiry = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expiry < now) notDeleted.push(pod);
    else {
      disrupted[pod.metadata.name!] = at;
      recheckAt = Math.min(recheckAt ?? Infinity, expiry);
    }
  }
  return { disrupted, recheckAt, notDeleted };
}

/** Ready pods that are neither terminating nor awaiting their eviction. */
export function countHealthy(pods: Pod[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name!];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/**
 * The counters the budget reports. Nothing may be disrupted while no pod is expected: a budget
 * whose first pods appear before this controller has counted them stays safe.
 */
export function budgetStatus(
  pdb: PodDisruptionBudget,
  currentHealthy: number,
  counts: Counts,
  disrupted: Record<string, string>,
): PodDisruptionBudgetStatus {
  let allowed = currentHealthy - counts.desiredHealthy;
  if (counts.expected <= 0 || allowed <= 0) allowed = 0;
  return {
    currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expected,
    disruptionsAllowed: allowed,
    disruptedPods: Object.keys(disrupted).length ? disrupted : undefined,
    observedGeneration: pdb.metadata.generation,
    conditions: pdb.status?.conditions,
  };
}
