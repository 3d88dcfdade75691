// Node conditions and taints, and whether a pod's tolerations cover a node's taints.
// k8s: pkg/controller/util/node (IsNodeReady), staging/src/k8s.io/api/core/v1/toleration.go (ToleratesTaint)
import type { Condition, Node, Taint, Toleration } from './core';
import type { KObject } from './types';

export const conditionsOf = (node: KObject): Condition[] => (node as Node).status?.conditions ?? [];
export const readyCondition = (node: KObject) => conditionsOf(node).find((c) => c.type === 'Ready');
export const isNodeReady = (node: KObject) => readyCondition(node)?.status === 'True';
export const taintsOf = (node: KObject): Taint[] => (node as Node).spec?.taints ?? [];

/** Toleration.ToleratesTaint: an empty key with Exists tolerates every taint; an empty effect every effect. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.operator ?? 'Equal') === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}
