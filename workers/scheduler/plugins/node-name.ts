// NodeName: a pod that names its node (spec.nodeName) fits only that node.
// k8s: pkg/scheduler/framework/plugins/nodename/node_name.go
import { unresolvable, type FilterPlugin } from '../framework';

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter(_state, pod, node) {
    const wanted = pod.spec.nodeName;
    return !wanted || wanted === node.name
      ? null
      : unresolvable("node(s) didn't match the requested node name");
  },
};
