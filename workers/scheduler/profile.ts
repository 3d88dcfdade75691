// Scheduler profiles: the default (LeastAllocated plus spreading) and bin packing (MostAllocated), by strategy name.
// k8s: pkg/scheduler/apis/config/v1/default_plugins.go (plugin order and score weights)
import type { Profile } from './framework';
import { balancedAllocation } from './plugins/balanced-allocation';
import { nodeAffinityFilter, nodeAffinityScore } from './plugins/node-affinity';
import { nodeName } from './plugins/node-name';
import { nodePorts } from './plugins/node-ports';
import { nodeReadiness } from './plugins/node-readiness';
import { nodeResourcesFitFilter, nodeResourcesFitScore } from './plugins/node-resources-fit';
import { nodeUnschedulable } from './plugins/node-unschedulable';
import { podTopologySpread } from './plugins/pod-topology-spread';
import { taintTolerationFilter, taintTolerationScore } from './plugins/taint-toleration';
import { volumeBinding, type VolumeLookup } from './plugins/volume-binding';

export type Strategy = 'least-allocated' | 'most-allocated';

export const STRATEGIES: readonly Strategy[] = ['least-allocated', 'most-allocated'];

// Upstream's filter order; readiness sits right after TaintToleration, where the taints it stands for would be checked.
const filters = [
  nodeUnschedulable,
  nodeName,
  taintTolerationFilter,
  nodeReadiness,
  nodeAffinityFilter,
  nodePorts,
  nodeResourcesFitFilter,
];

/** VolumeBinding joins the filters (last, as upstream orders it) when the leader caches claims and volumes. */
const withVolumes = (volumes?: VolumeLookup) =>
  volumes ? [...filters, volumeBinding(volumes)] : filters;

export function defaultProfile(volumes?: VolumeLookup): Profile {
  return {
    name: 'default-scheduler',
    filters: withVolumes(volumes),
    preBind: volumes?.selectNode ? [volumes.selectNode.bind(volumes)] : undefined,
    scores: [
      { plugin: taintTolerationScore, weight: 3 },
      { plugin: nodeAffinityScore, weight: 2 },
      { plugin: podTopologySpread, weight: 2 },
      { plugin: nodeResourcesFitScore('LeastAllocated'), weight: 1 },
      { plugin: balancedAllocation(), weight: 1 },
    ],
  };
}

/**
 * Bin packing: MostAllocated, and neither spreading nor balance, since both pull a replica set
 * apart (spreading outweighs MostAllocated two to one at upstream's weights) and nodes would
 * not fill in turn.
 */
export function binPackingProfile(volumes?: VolumeLookup): Profile {
  return {
    name: 'default-scheduler',
    filters: withVolumes(volumes),
    preBind: volumes?.selectNode ? [volumes.selectNode.bind(volumes)] : undefined,
    scores: [
      { plugin: taintTolerationScore, weight: 3 },
      { plugin: nodeAffinityScore, weight: 2 },
      { plugin: nodeResourcesFitScore('MostAllocated'), weight: 1 },
    ],
  };
}

export function isStrategy(s: string): s is Strategy {
  return (STRATEGIES as readonly string[]).includes(s);
}

/** Parsed once at the Worker's entry from its variable; an unknown name is a configuration error, said plainly. */
export function profileFor(strategy: string | undefined, volumes?: VolumeLookup): Profile {
  const s = strategy || 'least-allocated';
  if (!isStrategy(s))
    throw new Error(
      `unknown scheduler strategy ${JSON.stringify(strategy)}: use ${STRATEGIES.join(' or ')}`,
    );
  return s === 'most-allocated' ? binPackingProfile(volumes) : defaultProfile(volumes);
}
