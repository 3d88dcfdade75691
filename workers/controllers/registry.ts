// Every controller the controllers Worker runs, in the order one pass runs them: owners before the
// objects they own (so one pass carries a Deployment through to its pods), then node health and the
// pods it affects, then what publishes and cleans up after them.
import { RESOURCES } from '../../src/api/resources';
import type { Pod } from '../../src/api/core';
import { isNodeReady, taintsOf } from '../../src/api/node';
import type { KObject } from '../../src/api/types';
import type { ClusterCache } from '../shared/cache';
import { wholeCluster, type KeyedControllerDef } from './framework';
import { deploymentController } from './deployment';
import { replicaSetController } from './replicaset';
import { hpaController } from './hpa';
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
import { resourceKey } from '../../src/api/resources';
import { garbageCollector } from './garbage-collector';
import { namespaceController } from './namespace';
import { eventTTLController } from './event-ttl';
import { serviceAllocRepairController } from './service-alloc-repair';
import { clusterRoleAggregationController } from './clusterrole-aggregation';

const LEASES = 'coordination.k8s.io/v1/leases';
const namespacedKinds = RESOURCES.filter(
  (r) => r.namespaced && !(r.group === 'events.k8s.io' && r.resource === 'events'),
).map(resourceKey);

/** A pod on a node that is not Ready or carries a NoExecute taint: the taint manager's business. */
function onUnhealthyNode(pod: KObject, cache: ClusterCache): boolean {
  const node = (pod as Pod).spec?.nodeName;
  const n = node ? cache.kind('nodes').get(node) : undefined;
  return !!n && (!isNodeReady(n) || taintsOf(n).some((t) => t.effect === 'NoExecute'));
}

/** Pod GC's cases: terminating and unbound, bound to a node the cache lacks, or on an out-of-service node. */
function podGCCase(pod: KObject, cache: ClusterCache): boolean {
  const node = (pod as Pod).spec?.nodeName;
  if (!node) return !!pod.metadata.deletionTimestamp;
  const n = cache.kind('nodes').get(node);
  return (
    !n ||
    (!!pod.metadata.deletionTimestamp &&
      taintsOf(n).some((t) => t.key === 'node.kubernetes.io/out-of-service'))
  );
}

/** Content of a namespace being deleted (or the namespace itself). */
function inTerminatingNamespace(obj: KObject, cache: ClusterCache): boolean {
  const ns = obj.metadata.namespace;
  return !!ns && !!cache.kind('namespaces').get(ns)?.metadata.deletionTimestamp;
}

/** A fresh set (the workload controllers keep expectations in memory: one set per leader instance). */
export const controllers = (): KeyedControllerDef[] => [
  deploymentController,
  replicaSetController(),
  hpaController(),
  cronJobController,
  jobController(),
  ttlAfterFinishedController,
  daemonSetController(),
  statefulSetController(),
  claimBinder,
  volumeReclaimer,
  pvcProtection,
  pvProtection,
  wholeCluster(nodeLifecycleController, ['nodes', LEASES]),
  wholeCluster(podLifecycleController, ['nodes', 'pods'], { pods: onUnhealthyNode }),
  wholeCluster(podGCController, ['nodes', 'pods'], { pods: podGCCase }),
  endpointsController,
  endpointSliceController,
  garbageCollector,
  wholeCluster(
    namespaceController,
    ['namespaces', ...namespacedKinds],
    Object.fromEntries(namespacedKinds.map((k) => [k, inTerminatingNamespace])),
  ),
  wholeCluster(eventTTLController, ['events']),
  wholeCluster(serviceAllocRepairController, ['services']),
  clusterRoleAggregationController,
];
