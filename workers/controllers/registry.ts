// Every controller the controllers Worker runs, in the order one pass runs them: owners before the
// objects they own (so one pass carries a Deployment through to its pods), then node health and the
// pods it affects, then what publishes and cleans up after them.
import type { KeyedControllerDef } from './framework';
import { deploymentController } from './deployment';
import { replicaSetController, replicationControllerController } from './replicaset';
import { hpaController } from './hpa';
import { resourceQuotaController } from './resourcequota';
import { disruptionController } from './disruption';
import { jobController } from './job';
import { ttlAfterFinishedController } from './job/ttl';
import { cronJobController } from './cronjob';
import { daemonSetController } from './daemonset';
import { statefulSetController } from './statefulset';
import { claimBinder, pvcProtection, pvProtection, volumeReclaimer } from './volume';
import { nodeLifecycleController } from './node-lifecycle';
import { podLifecycleController } from './pod-lifecycle';
import { podGCController } from './pod-gc';
import { endpointsController } from './endpoints';
import { endpointSliceController } from './endpointslice';
import { garbageCollector } from './garbage-collector';
import { namespaceController } from './namespace';
import { serviceAllocRepairController } from './service-alloc-repair';
import { crdCleanupController } from './crd-cleanup';
import { clusterRoleAggregationController } from './clusterrole-aggregation';

/** A fresh set (some keep state in memory: expectations, eviction rate limiters; one set per leader instance). */
export const controllers = (): KeyedControllerDef[] => [
  deploymentController,
  replicaSetController(),
  hpaController(),
  resourceQuotaController,
  replicationControllerController(),
  cronJobController,
  jobController(),
  ttlAfterFinishedController,
  daemonSetController(),
  statefulSetController(),
  claimBinder,
  volumeReclaimer,
  pvcProtection,
  pvProtection,
  nodeLifecycleController(),
  podLifecycleController,
  podGCController(),
  endpointsController,
  endpointSliceController,
  disruptionController,
  garbageCollector,
  namespaceController,
  serviceAllocRepairController,
  crdCleanupController,
  clusterRoleAggregationController,
];
