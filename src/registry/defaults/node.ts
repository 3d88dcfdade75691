// Node defaults: allocatable mirrors capacity until the agent says otherwise; podCIDRs follows podCIDR.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus; pkg/apis/core/v1/conversion.go (podCIDR/podCIDRs)
import type { KObject } from '../../api/types';
import { asArr, asStr, isSet, objOf } from '../validate/fields';

export function defaultNode(node: KObject): void {
  const status = objOf(node.status);
  if (!isSet(status.allocatable) && isSet(status.capacity)) {
    status.allocatable = { ...objOf(status.capacity) };
    node.status = status;
  }
  // objOf hands back the stored spec itself, so the writes below land on the node.
  const spec = objOf(node.spec);
  const podCIDR = asStr(spec.podCIDR);
  const podCIDRs = asArr(spec.podCIDRs).map(asStr);
  if (podCIDR && !podCIDRs.length) spec.podCIDRs = [podCIDR];
  if (!podCIDR && podCIDRs.length) spec.podCIDR = podCIDRs[0];
}
