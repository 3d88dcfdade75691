// TaintToleration: NoSchedule/NoExecute taints a pod does not tolerate rule a node out; PreferNoSchedule ones lower its score.
// k8s: pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go, staging/src/k8s.io/api/core/v1/toleration.go
import {
  defaultNormalizeScore,
  unresolvable,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework';
import { tolerates } from '../../../src/api/node';
import type { Taint, Toleration } from '../types';

export function isTolerated(taint: Taint, tolerations: Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
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
    const taint = findUntoleratedTaint(
      node.node.spec?.taints,
      pod.spec.tolerations,
      blocksScheduling,
    );
    return taint ? unresolvable(untoleratedTaintReason(taint)) : null;
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  score(_state, pod, node) {
    // Only tolerations that could apply to PreferNoSchedule count here, as upstream.
    const tolerations = (pod.spec.tolerations ?? []).filter(
      (t) => !t.effect || t.effect === 'PreferNoSchedule',
    );
    return (node.node.spec?.taints ?? []).filter(
      (t) => t.effect === 'PreferNoSchedule' && !isTolerated(t, tolerations),
    ).length;
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, true);
  },
};
