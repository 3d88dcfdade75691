// apps/v1 StatefulSet (schemas ride on daemonsets.ts).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultStatefulSet } from '../defaults/apps-workloads';
import { statefulSetPrinter } from '../tables/apps-workloads';
import { validateStatefulSet, validateStatefulSetUpdate } from '../validate/apps-workloads';
import { keepLabelsOnStatus } from './status-rules';

export const statefulsets: ResourceDefinition = {
  info: builtin('apps', 'v1', 'statefulsets'),
  strategy: defineStrategy(validateStatefulSet, validateStatefulSetUpdate, {
    defaults: defaultStatefulSet,
    hasStatus: true,
    tracksGeneration: true,
    prepareForUpdate: keepLabelsOnStatus,
  }),
  printer: statefulSetPrinter,
  wakes: { controllers: true },
};
