// Every built-in kind's definition. Adding a kind: a file in this folder and one line here
// (see docs/registry.md). Kinds from CustomResourceDefinitions register at run time instead.
import type { ResourceDefinition } from '../definition';
import { horizontalpodautoscalers, horizontalpodautoscalersV1 } from './horizontalpodautoscalers';
import { resourcequotas } from './resourcequotas';
import { limitranges } from './limitranges';
import { controllerrevisions } from './controllerrevisions';
import { daemonsets } from './daemonsets';
import { persistentvolumeclaims } from './persistentvolumeclaims';
import { persistentvolumes } from './persistentvolumes';
import { statefulsets } from './statefulsets';
import { storageclasses } from './storageclasses';
import { configmaps } from './configmaps';
import { cronjobs } from './cronjobs';
import { deployments } from './deployments';
import { endpoints } from './endpoints';
import { endpointslices } from './endpointslices';
import { events } from './events';
import { jobs } from './jobs';
import { eventsV1 } from './events-v1';
import { leases } from './leases';
import { namespaces } from './namespaces';
import { nodes } from './nodes';
import { pods } from './pods';
import { replicasets } from './replicasets';
import { replicationcontrollers } from './replicationcontrollers';
import { poddisruptionbudgets } from './poddisruptionbudgets';
import { secrets } from './secrets';
import { serviceaccounts } from './serviceaccounts';
import { services } from './services';
import { clusterroles } from './clusterroles';
import { clusterrolebindings } from './clusterrolebindings';
import { roles } from './roles';
import { customresourcedefinitions } from './customresourcedefinitions';
import { rolebindings } from './rolebindings';

export const BUILTIN_KINDS: ResourceDefinition[] = [
  daemonsets,
  statefulsets,
  controllerrevisions,
  persistentvolumeclaims,
  persistentvolumes,
  storageclasses,
  namespaces,
  pods,
  nodes,
  services,
  endpoints,
  events,
  configmaps,
  secrets,
  serviceaccounts,
  deployments,
  replicasets,
  replicationcontrollers,
  poddisruptionbudgets,
  leases,
  endpointslices,
  eventsV1,
  jobs,
  cronjobs,
  clusterroles,
  clusterrolebindings,
  roles,
  rolebindings,
  horizontalpodautoscalers,
  horizontalpodautoscalersV1,
  resourcequotas,
  limitranges,
  customresourcedefinitions,
];
