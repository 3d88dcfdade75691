// Every controller the controllers Worker runs, in the order one pass runs them: owners before the
// objects they own (so one pass carries a Deployment through to its pods), then node health and the
// pods it affects, then what publishes and cleans up after them.
import { RESOURCES } from '../../src/api/resources';
import { wholeCluster, type KeyedControllerDef } from './framework';
import { deploymentController } from './deployment';
import { replicaSetController } from './replicaset';
import { nodeLifecycleController } from './node-lifecycle';
import { podLifecycleController } from './pod-lifecycle';
import { podGCController } from './pod-gc';
import { endpointsController } from './endpoints';
import { endpointSliceController } from './endpointslice';
import { garbageCollectorController, resourceKey } from './garbage-collector';
import { namespaceController } from './namespace';
import { eventTTLController } from './event-ttl';
import { serviceAllocRepairController } from './service-alloc-repair';

const LEASES = 'coordination.k8s.io/v1/leases';
const gcKinds = RESOURCES.filter((r) => r.resource !== 'events').map(resourceKey);
const namespacedKinds = RESOURCES.filter((r) => r.namespaced && !(r.group === 'events.k8s.io' && r.resource === 'events')).map(resourceKey);

/** A fresh set (the workload controllers keep expectations in memory: one set per leader instance). */
export const controllers = (): KeyedControllerDef[] => [
  deploymentController,
  replicaSetController(),
  wholeCluster(nodeLifecycleController, ['nodes', LEASES]),
  wholeCluster(podLifecycleController, ['nodes', 'pods']),
  wholeCluster(podGCController, ['nodes', 'pods']),
  endpointsController,
  endpointSliceController,
  wholeCluster(garbageCollectorController, gcKinds),
  wholeCluster(namespaceController, ['namespaces', ...namespacedKinds]),
  wholeCluster(eventTTLController, ['events']),
  wholeCluster(serviceAllocRepairController, ['services']),
];
