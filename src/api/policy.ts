// policy/v1 PodDisruptionBudget and Eviction as the API and the loops read them.
import type { Condition, IntOrString } from './core';
import type { KObject, LabelSelector } from './types';

/** metav1.Condition: the standard shape, with the generation it was computed from. */
export interface PdbCondition extends Condition {
  observedGeneration?: number;
}

export type UnhealthyPodEvictionPolicy = 'IfHealthyBudget' | 'AlwaysAllow';

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  /** Pod name → when the API server allowed its eviction (RFC 3339). */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

export interface PodDisruptionBudget extends KObject {
  spec: {
    minAvailable?: IntOrString;
    maxUnavailable?: IntOrString;
    selector?: LabelSelector | null;
    unhealthyPodEvictionPolicy?: UnhealthyPodEvictionPolicy;
  };
  status?: PodDisruptionBudgetStatus;
}

/** k8s: api/policy/v1 types.go: the condition and its reasons. */
export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
export const SYNC_FAILED_REASON = 'SyncFailed';
export const SUFFICIENT_PODS_REASON = 'SufficientPods';
export const INSUFFICIENT_PODS_REASON = 'InsufficientPods';

/** k8s: pkg/registry/core/pod/storage/eviction.go: the 429 an eviction gets while a budget forbids it. */
export const EVICTION_BLOCKED_MESSAGE =
  "Cannot evict pod as it would violate the pod's disruption budget.";
/** k8s: eviction.go: the cause a blocked eviction carries. */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';

/**
 * How long a pod the API allowed to be evicted stays in status.disruptedPods waiting to be seen
 * deleted; after that the controller assumes the eviction did not happen.
 * k8s: pkg/controller/disruption/disruption.go DeletionTimeout
 */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;
/** k8s: eviction.go MaxDisruptedPodSize. */
export const MAX_DISRUPTED_POD_SIZE = 2000;

/**
 * Sets DisruptionAllowed from status.disruptionsAllowed, keeping lastTransitionTime when the status
 * does not change (meta.SetStatusCondition). k8s: pkg/apis/policy/helper UpdateDisruptionAllowedCondition
 */
export function updateDisruptionAllowedCondition(
  status: PodDisruptionBudgetStatus,
  now: string,
): void {
  const allowed = status.disruptionsAllowed > 0;
  const next: PdbCondition = {
    type: DISRUPTION_ALLOWED_CONDITION,
    status: allowed ? 'True' : 'False',
    reason: allowed ? SUFFICIENT_PODS_REASON : INSUFFICIENT_PODS_REASON,
    message: '',
    observedGeneration: status.observedGeneration,
    lastTransitionTime: now,
  };
  setCondition(status, next);
}

/** meta.SetStatusCondition: replace by type; the transition time moves only when status does. */
export function setCondition(status: PodDisruptionBudgetStatus, next: PdbCondition): void {
  const list = status.conditions ?? [];
  const i = list.findIndex((c) => c.type === next.type);
  if (i < 0) {
    status.conditions = [...list, next];
    return;
  }
  const old = list[i];
  const merged =
    old.status === next.status ? { ...next, lastTransitionTime: old.lastTransitionTime } : next;
  status.conditions = list.map((c, j) => (j === i ? merged : c));
}

/** Whether DisruptionAllowed already says what status.disruptionsAllowed does. k8s: helper ConditionsAreUpToDate */
export function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const s = pdb.status;
  const c = s?.conditions?.find((x) => x.type === DISRUPTION_ALLOWED_CONDITION);
  if (!s || !c || s.observedGeneration !== pdb.metadata.generation) return false;
  if (s.disruptionsAllowed > 0) return c.status === 'True' && c.reason === SUFFICIENT_PODS_REASON;
  return (
    c.status === 'False' &&
    (c.reason === INSUFFICIENT_PODS_REASON || c.reason === SYNC_FAILED_REASON)
  );
}
