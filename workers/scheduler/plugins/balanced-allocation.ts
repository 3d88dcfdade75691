// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in equal proportion.
// k8s: pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go
import { MAX_NODE_SCORE, skip, type ScorePlugin } from '../framework';
import { podRequests, type Resource } from '../resources';
import {
  allocationAfter,
  amountOf,
  DEFAULT_RESOURCES,
  type ResourceWeight,
} from './node-resources-fit';

/** (1 - standard deviation of the used fractions) × 100; with two resources the deviation is half their difference. */
export function balancedScore(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  allocatable.forEach((alloc, i) => {
    if (alloc !== 0) fractions.push(Math.min(1, requested[i] / alloc));
  });
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((sum, f) => sum + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

const KEY = 'PreScoreNodeResourcesBalancedAllocation';

export function balancedAllocation(resources: ResourceWeight[] = DEFAULT_RESOURCES): ScorePlugin {
  return {
    name: 'NodeResourcesBalancedAllocation',
    preScore(state, pod) {
      // Actual requests, not the scoring defaults: balance is about what pods really reserve.
      const request = podRequests(pod);
      // A pod that requests nothing would make every empty-ish node look perfectly balanced and pile pods
      // onto one node, so upstream leaves it out (kubernetes/kubernetes#129138).
      if (!resources.some(({ name }) => amountOf(request, name) > 0)) return skip();
      state.write(KEY, request);
      return null;
    },
    score(state, pod, node) {
      const request = state.read<Resource>(KEY) ?? podRequests(pod);
      const { requested, allocatable } = allocationAfter(node, request, resources, true);
      return balancedScore(requested, allocatable);
    },
  };
}
