// apps/v1 ReplicaSet.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultReplicaSet } from '../defaults/replicaset';
import { replicaSetPrinter } from '../tables/replicasets';
import { validateReplicaSet, validateReplicaSetUpdate } from '../validate/replicaset';
import { keepLabelsOnStatus } from './status-rules';

export const replicasets: ResourceDefinition = {
  info: builtin('apps', 'v1', 'replicasets'),
  strategy: defineStrategy(validateReplicaSet, validateReplicaSetUpdate, {
    defaults: defaultReplicaSet,
    hasStatus: true,
    tracksGeneration: true,
    prepareForUpdate: keepLabelsOnStatus,
  }),
  printer: replicaSetPrinter,
  wakes: { controllers: true },
};
