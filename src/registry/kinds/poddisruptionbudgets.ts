// policy/v1 PodDisruptionBudget (its schema comes with the ReplicationController's defs).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultPodDisruptionBudget } from '../defaults/poddisruptionbudget';
import { podDisruptionBudgetPrinter } from '../tables/poddisruptionbudgets';
import {
  validatePodDisruptionBudget,
  validatePodDisruptionBudgetUpdate,
} from '../validate/poddisruptionbudget';

export const poddisruptionbudgets: ResourceDefinition = {
  info: builtin('policy', 'v1', 'poddisruptionbudgets'),
  strategy: defineStrategy(validatePodDisruptionBudget, validatePodDisruptionBudgetUpdate, {
    defaults: defaultPodDisruptionBudget,
    hasStatus: true,
    // k8s: pkg/registry/policy/poddisruptionbudget/strategy.go: spec changes bump the generation,
    // which the eviction API compares with status.observedGeneration.
    tracksGeneration: true,
  }),
  printer: podDisruptionBudgetPrinter,
  // Spec changes reach the disruption controller at once; its own status writes need not wake it.
  wakes: { controllers: { except: ['status'] } },
};
