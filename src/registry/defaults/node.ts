// Node defaults: allocatable mirrors capacity until the agent says otherwise; podCIDRs follows podCIDR.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus; pkg/apis/core/v1/conversion.go (podCIDR/podCIDRs)
import type { KObject } from '../../api/types';
import { asArr, asStr, isSet, objOf, type Obj } from '../validate/fields';
import { each, struct, zero } from './always';

// NodeSystemInfo's fields have no omitempty: an empty nodeInfo still lists them all.
const NODE_INFO = [
  'machineID',
  'systemUUID',
  'bootID',
  'kernelVersion',
  'osImage',
  'containerRuntimeVersion',
  'kubeletVersion',
  'kubeProxyVersion',
  'operatingSystem',
  'architecture',
];

export function defaultNode(node: KObject): void {
  const status = struct(node as Obj, 'status');
  if (!isSet(status.allocatable) && isSet(status.capacity))
    status.allocatable = { ...objOf(status.capacity) };
  // NodeStatus's daemonEndpoints and nodeInfo are structs, and DaemonEndpoint.Port has no omitempty.
  zero(struct(struct(status, 'daemonEndpoints'), 'kubeletEndpoint'), { Port: 0 });
  zero(struct(status, 'nodeInfo'), Object.fromEntries(NODE_INFO.map((k) => [k, ''])));
  for (const c of each(status.conditions))
    zero(c, { lastHeartbeatTime: null, lastTransitionTime: null });
  const spec = struct(node as Obj, 'spec');
  const podCIDR = asStr(spec.podCIDR);
  const podCIDRs = asArr(spec.podCIDRs).map(asStr);
  if (podCIDR && !podCIDRs.length) spec.podCIDRs = [podCIDR];
  if (!podCIDR && podCIDRs.length) spec.podCIDR = podCIDRs[0];
}
