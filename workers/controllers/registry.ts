// Every controller the controllers Worker runs, in the order one pass runs them: owners before the
// objects they own (so one pass carries a Deployment through to its pods), then node health and the
// pods it affects, then what publishes and cleans up after them.
import type { Controller } from './framework';
import { deploymentController } from './deployment';
import { replicaSetController } from './replicaset';
import { nodeLifecycleController } from './node-lifecycle';
import { podLifecycleController } from './pod-lifecycle';
import { podGCController } from './pod-gc';
import { endpointsController } from './endpoints';
import { endpointSliceController } from './endpointslice';
import { garbageCollectorController } from './garbage-collector';
import { namespaceController } from './namespace';
import { eventTTLController } from './event-ttl';
import { serviceAllocRepairController } from './service-alloc-repair';

export const CONTROLLERS: Controller[] = [
  deploymentController,
  replicaSetController,
  nodeLifecycleController,
  podLifecycleController,
  podGCController,
  endpointsController,
  endpointSliceController,
  garbageCollectorController,
  namespaceController,
  eventTTLController,
  serviceAllocRepairController,
];
