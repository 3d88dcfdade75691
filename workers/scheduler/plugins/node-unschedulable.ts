// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate its unschedulable taint.
// k8s: pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go
import { unresolvable, type FilterPlugin } from '../framework';
import type { Taint } from '../types';
import { isTolerated } from './taint-toleration';

// k8s: staging/src/k8s.io/api/core/v1/well_known_taints.go (TaintNodeUnschedulable)
const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(_state, pod, node) {
    if (!node.node.spec?.unschedulable) return null;
    // DaemonSet pods carry this toleration so that cordoning does not stop them.
    if (isTolerated(unschedulableTaint, pod.spec.tolerations)) return null;
    return unresolvable('node(s) were unschedulable');
  },
};
