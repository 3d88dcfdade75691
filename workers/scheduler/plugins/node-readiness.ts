// Node readiness: a node whose Ready condition is not True is filtered unless the pod tolerates the matching taint.
// Upstream has no readiness plugin: kubelet registers nodes with the node.kubernetes.io/not-ready taint and the
// node lifecycle controller keeps not-ready/unreachable taints in step with the Ready condition, so TaintToleration
// does the filtering. Here the taint is derived from the condition itself, so a node is never scheduled onto in the
// window before the controller has tainted it, and the reason reads exactly as upstream's would.
// k8s: pkg/controller/nodelifecycle/node_lifecycle_controller.go (taint keys per Ready status)
import { unresolvable, type FilterPlugin } from '../framework';
import type { Node, Taint } from '../types';
import { isTolerated, untoleratedTaintReason } from './taint-toleration';

/** The NoSchedule taint upstream would carry for this node's Ready condition, or none when it is Ready. */
export function readinessTaint(node: Node): Taint | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  // Unknown means the node stopped reporting (lease expired); False or no report yet means it is not ready.
  const key =
    ready?.status === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
  return { key, effect: 'NoSchedule' };
}

export const nodeReadiness: FilterPlugin = {
  name: 'NodeReadiness',
  filter(_state, pod, node) {
    const taint = readinessTaint(node.node);
    if (!taint || isTolerated(taint, pod.spec.tolerations)) return null;
    return unresolvable(untoleratedTaintReason(taint));
  },
};
