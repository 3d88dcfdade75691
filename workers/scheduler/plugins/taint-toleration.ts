// TaintToleration: NoSchedule/NoExecute taints a pod does not tolerate rule a node out; PreferNoSchedule ones lower its score.
// k8s: pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go, staging/src/k8s.io/api/core/v1/toleration.go
import { defaultNormalizeScore, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework';
import type { Taint, Toleration } from '../types';

/** Toleration.ToleratesTaint: an empty key with Exists tolerates every taint; an empty effect tolerates every effect. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function isTolerated(taint: Taint, tolerations: Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint (in node order) that passes `applies` and no toleration covers. */
export function findUntoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  applies: (t: Taint) => boolean,
): Taint | undefined {
  return (taints ?? []).find((t) => applies(t) && !isTolerated(t, tolerations));
}

export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

const blocksScheduling = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  filter(_state, pod, node) {
    const taint = findUntoleratedTaint(node.node.spec?.taints, pod.spec.tolerations, blocksScheduling);
    return taint ? unresolvable(untoleratedTaintReason(taint)) : null;
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  score(_state, pod, node) {
    // Only tolerations that could apply to PreferNoSchedule count here, as upstream.
    const tolerations = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return (node.node.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !isTolerated(t, tolerations)).length;
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, true);
  },
};
