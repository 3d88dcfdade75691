// NodeResourcesFit: requests must fit allocatable minus what bound pods request; scoring prefers the least or the most allocated node.
// k8s: pkg/scheduler/framework/plugins/noderesources/fit.go, least_allocated.go, most_allocated.go, resource_allocation.go
import {
  MAX_NODE_SCORE,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type ScorePlugin,
} from '../framework';
import { podRequests, type Resource } from '../resources';

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

export interface ResourceWeight {
  name: string;
  weight: number;
}

// k8s: pkg/scheduler/apis/config/v1/default_plugins.go: cpu and memory, weight 1 each.
export const DEFAULT_RESOURCES: ResourceWeight[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

const STATE_KEY = 'PreFilterNodeResourcesFit';

/** A resource's amount by its API name: milli-CPU for cpu, bytes or counts otherwise. */
export function amountOf(r: Resource, name: string): number {
  if (name === 'cpu') return r.milliCPU;
  if (name === 'memory') return r.memory;
  if (name === 'ephemeral-storage') return r.ephemeralStorage;
  return r.scalar[name] ?? 0;
}

/** Every shortfall on this node, in upstream's order: pod count, cpu, memory, ephemeral storage, extended resources. */
export function insufficientResources(request: Resource, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.pods.length + 1 > node.allocatable.allowedPodNumber) reasons.push('Too many pods');
  const free = (name: string) => amountOf(node.allocatable, name) - amountOf(node.requested, name);
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    const want = amountOf(request, name);
    if (want > 0 && want > free(name)) reasons.push(`Insufficient ${name}`);
  }
  for (const [name, want] of Object.entries(request.scalar)) {
    if (want > 0 && want > free(name)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

export const nodeResourcesFitFilter: FilterPlugin = {
  name: 'NodeResourcesFit',
  preFilter(state: CycleState, pod) {
    state.write(STATE_KEY, podRequests(pod));
    return null;
  },
  filter(state, pod, node) {
    const request = state.read<Resource>(STATE_KEY) ?? podRequests(pod);
    const reasons = insufficientResources(request, node);
    return reasons.length ? unschedulable(...reasons) : null;
  },
};

/**
 * Per resource: what the node offers and what it would have handed out with this pod placed.
 * Resources the node lacks are left out; an extended resource the pod does not ask for is too.
 */
export function allocationAfter(
  node: NodeInfo,
  podRequest: Resource,
  resources: ResourceWeight[],
  useRequested: boolean,
): { requested: number[]; allocatable: number[] } {
  const base = useRequested ? node.requested : node.nonZeroRequested;
  const requested: number[] = [];
  const allocatable: number[] = [];
  for (const { name } of resources) {
    const want = amountOf(podRequest, name);
    const extended = !['cpu', 'memory', 'ephemeral-storage'].includes(name);
    const alloc = amountOf(node.allocatable, name);
    if (alloc === 0 || (extended && want === 0)) {
      requested.push(0);
      allocatable.push(0);
      continue;
    }
    allocatable.push(alloc);
    requested.push(amountOf(base, name) + want);
  }
  return { requested, allocatable };
}

// Integer arithmetic throughout, as upstream's int64 math, so scores (and ties) come out the same.
function weightedScore(
  resources: ResourceWeight[],
  requested: number[],
  allocatable: number[],
  perResource: (requested: number, capacity: number) => number,
): number {
  let total = 0;
  let weights = 0;
  resources.forEach(({ weight }, i) => {
    if (allocatable[i] === 0) return;
    total += perResource(requested[i], allocatable[i]) * weight;
    weights += weight;
  });
  return weights === 0 ? 0 : Math.floor(total / weights);
}

export const leastRequestedScore = (requested: number, capacity: number): number =>
  capacity === 0 || requested > capacity
    ? 0
    : Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);

// Requests may exceed capacity because pods without requests count the scoring defaults.
export const mostRequestedScore = (requested: number, capacity: number): number =>
  capacity === 0 ? 0 : Math.floor((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);

export function nodeResourcesFitScore(
  strategy: ScoringStrategy = 'LeastAllocated',
  resources = DEFAULT_RESOURCES,
): ScorePlugin {
  const perResource = strategy === 'MostAllocated' ? mostRequestedScore : leastRequestedScore;
  const key = 'PreScoreNodeResourcesFit';
  return {
    name: 'NodeResourcesFit',
    preScore(state, pod) {
      state.write(key, podRequests(pod, { nonZero: true }));
      return null;
    },
    score(state, pod, node) {
      const request = state.read<Resource>(key) ?? podRequests(pod, { nonZero: true });
      const { requested, allocatable } = allocationAfter(node, request, resources, false);
      return weightedScore(resources, requested, allocatable, perResource);
    },
  };
}
