// The identity of every served kind (group/version/kind, names, scope, subresources, sharding):
// the built-in table below plus the kinds CustomResourceDefinitions add at run time. Pure data so
// the loops' Workers (which may import only src/api, src/lib, src/client) can read it; each kind's
// behaviour (strategy, printer, schema, wakes) lives in src/registry/kinds/, keyed by this identity.
// See docs/registry.md.
import { REVIEW_RESOURCES } from './review-resources';

export interface SubresourceInfo {
  name: string;
  /** Kind returned by the subresource, when it differs from the parent's. */
  kind?: { group: string; version: string; kind: string };
  verbs: string[];
}

export interface ResourceInfo {
  group: string; // "" for core
  version: string;
  resource: string; // plural, lower-case
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources: SubresourceInfo[];
  /** High-volume types are hash-partitioned over N storage shards. */
  partitioned: boolean;
  /** The verbs served, when not all of ALL_VERBS (the create-only reviews). */
  verbs?: string[];
}

export const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
const STATUS_VERBS = ['get', 'patch', 'update'];

function res(
  group: string,
  version: string,
  kind: string,
  resource: string,
  opts: Partial<Omit<ResourceInfo, 'group' | 'version' | 'kind' | 'resource'>> = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    resource,
    singular: opts.singular ?? kind.toLowerCase(),
    listKind: `${kind}List`,
    namespaced: opts.namespaced ?? true,
    shortNames: opts.shortNames,
    categories: opts.categories,
    subresources: opts.subresources ?? [],
    partitioned: opts.partitioned ?? false,
    ...(opts.verbs ? { verbs: opts.verbs } : {}),
  };
}

const status = { name: 'status', verbs: STATUS_VERBS };
const scale = {
  name: 'scale',
  kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  verbs: STATUS_VERBS,
};

export const RESOURCES: ResourceInfo[] = [
  res('', 'v1', 'Namespace', 'namespaces', {
    namespaced: false,
    shortNames: ['ns'],
    subresources: [status, { name: 'finalize', verbs: ['update'] }],
  }),
  res('', 'v1', 'Pod', 'pods', {
    shortNames: ['po'],
    categories: ['all'],
    partitioned: true,
    subresources: [
      status,
      { name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
      {
        name: 'eviction',
        kind: { group: 'policy', version: 'v1', kind: 'Eviction' },
        verbs: ['create'],
      },
      { name: 'log', verbs: ['get'] },
      {
        name: 'exec',
        kind: { group: '', version: 'v1', kind: 'PodExecOptions' },
        verbs: ['create', 'get'],
      },
      {
        name: 'attach',
        kind: { group: '', version: 'v1', kind: 'PodAttachOptions' },
        verbs: ['create', 'get'],
      },
      {
        name: 'portforward',
        kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
        verbs: ['create', 'get'],
      },
      {
        name: 'proxy',
        kind: { group: '', version: 'v1', kind: 'PodProxyOptions' },
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
      },
    ],
  }),
  res('', 'v1', 'Node', 'nodes', { namespaced: false, shortNames: ['no'], subresources: [status] }),
  res('', 'v1', 'Service', 'services', {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [
      status,
      {
        name: 'proxy',
        kind: { group: '', version: 'v1', kind: 'ServiceProxyOptions' },
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
      },
    ],
  }),
  res('', 'v1', 'Endpoints', 'endpoints', { shortNames: ['ep'], singular: 'endpoints' }),
  res('', 'v1', 'Event', 'events', { shortNames: ['ev'], partitioned: true }),
  res('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  res('', 'v1', 'Secret', 'secrets'),
  res('', 'v1', 'ResourceQuota', 'resourcequotas', {
    shortNames: ['quota'],
    subresources: [status],
  }),
  res('', 'v1', 'LimitRange', 'limitranges', { shortNames: ['limits'] }),
  res('', 'v1', 'ServiceAccount', 'serviceaccounts', {
    shortNames: ['sa'],
    subresources: [
      {
        name: 'token',
        kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
        verbs: ['create'],
      },
    ],
  }),
  res('', 'v1', 'ReplicationController', 'replicationcontrollers', {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [scale, status],
  }),
  res('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', {
    shortNames: ['pdb'],
    subresources: [status],
  }),
  res('apps', 'v1', 'Deployment', 'deployments', {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [scale, status],
  }),
  res('apps', 'v1', 'ReplicaSet', 'replicasets', {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [scale, status],
  }),
  res('batch', 'v1', 'Job', 'jobs', { categories: ['all'], subresources: [status] }),
  res('batch', 'v1', 'CronJob', 'cronjobs', {
    shortNames: ['cj'],
    categories: ['all'],
    subresources: [status],
  }),
  res('apps', 'v1', 'DaemonSet', 'daemonsets', {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: [status],
  }),
  res('apps', 'v1', 'StatefulSet', 'statefulsets', {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [scale, status],
  }),
  res('apps', 'v1', 'ControllerRevision', 'controllerrevisions'),
  res('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', {
    shortNames: ['pvc'],
    subresources: [status],
  }),
  res('', 'v1', 'PersistentVolume', 'persistentvolumes', {
    namespaced: false,
    shortNames: ['pv'],
    subresources: [status],
  }),
  res('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', {
    namespaced: false,
    shortNames: ['sc'],
  }),
  res('coordination.k8s.io', 'v1', 'Lease', 'leases', { partitioned: true }),
  res('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
  res('events.k8s.io', 'v1', 'Event', 'events', { shortNames: ['ev'], partitioned: true }),
  res('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', {
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: [status],
  }),
  res('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: [status],
  }),
  res('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: [status],
  }),
  res('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', { namespaced: false }),
  res('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', {
    namespaced: false,
  }),
  res('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  res('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
];

/**
 * Kinds added at run time (CustomResourceDefinitions), per isolate. Replaced as a whole by
 * setDynamicResources when the registry refreshes from storage; read through allResources().
 */
let dynamic: ResourceInfo[] = [];
let served: readonly ResourceInfo[] = [...RESOURCES, ...REVIEW_RESOURCES];
let generation = 0;

/** Every served kind: the built-in table, then the kinds registered at run time. */
export function allResources(): readonly ResourceInfo[] {
  return served;
}

/** Replaces the run-time kinds (CRDs); bumps resourcesGeneration so derived caches rebuild. */
export function setDynamicResources(list: ResourceInfo[]): void {
  dynamic = [...list];
  served = [...RESOURCES, ...REVIEW_RESOURCES, ...dynamic];
  generation++;
}

/** Changes whenever the set of served kinds changes; caches derived from allResources() key on it. */
export function resourcesGeneration(): number {
  return generation;
}

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** "deployments.apps" style name used in messages, as Kubernetes prints it. */
/** The key a resource has in wake-ups and the loops' caches: the core plural or `group/version/plural`. */
export function resourceKey(r: { group: string; version: string; resource: string }): string {
  return r.group ? `${r.group}/${r.version}/${r.resource}` : r.resource;
}

export function qualifiedResource(r: ResourceInfo): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

export function findResource(
  group: string,
  version: string,
  resource: string,
): ResourceInfo | undefined {
  return allResources().find(
    (r) => r.group === group && r.version === version && r.resource === resource,
  );
}

export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return allResources().find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

/**
 * Storage identity: core/v1 events and events.k8s.io/v1 events are one stored resource,
 * as in Kubernetes, so both share a storage resource name.
 */
export function storageResource(r: ResourceInfo): string {
  // Only the two event APIs: a CRD may name its plural "events" in its own group.
  if (r.resource === 'events' && (r.group === '' || r.group === 'events.k8s.io')) return 'events';
  return r.group ? `${r.group}/${r.resource}` : r.resource;
}
