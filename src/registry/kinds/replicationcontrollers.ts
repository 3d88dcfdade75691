// core/v1 ReplicationController.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultReplicationController } from '../defaults/replicationcontroller';
import { rcPolicyDefs } from '../schema/defs-rc-policy';
import { replicationControllerPrinter } from '../tables/replicationcontrollers';
import {
  validateReplicationController,
  validateReplicationControllerUpdate,
} from '../validate/replicationcontroller';

export const replicationcontrollers: ResourceDefinition = {
  info: builtin('', 'v1', 'replicationcontrollers'),
  strategy: defineStrategy(validateReplicationController, validateReplicationControllerUpdate, {
    defaults: defaultReplicationController,
    hasStatus: true,
    tracksGeneration: true,
  }),
  printer: replicationControllerPrinter,
  schemas: rcPolicyDefs,
  wakes: { controllers: true },
};
