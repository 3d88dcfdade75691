// metrics.k8s.io/v1beta1 in discovery: read-only NodeMetrics (cluster) and PodMetrics (namespaced).
import { METRICS_GROUP, METRICS_VERSION } from '../../api/metrics';
import type { ResourceInfo } from '../../api/resources';

const VERBS = ['get', 'list'];

/** The two kinds, as ResourceInfo so authorization and messages treat them like any resource. */
export const METRICS_RESOURCES: ResourceInfo[] = [
  { resource: 'nodes', singular: '', kind: 'NodeMetrics', namespaced: false },
  { resource: 'pods', singular: '', kind: 'PodMetrics', namespaced: true },
].map((r) => ({
  ...r,
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  listKind: `${r.kind}List`,
  subresources: [],
  partitioned: false,
}));

const groupVersion = {
  groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
  version: METRICS_VERSION,
};

/** The APIGroup entry for the legacy /apis list and /apis/metrics.k8s.io. */
export const metricsApiGroup = {
  name: METRICS_GROUP,
  versions: [groupVersion],
  preferredVersion: groupVersion,
};

/** The APIGroupDiscovery entry for aggregated discovery. */
export const metricsAggregatedGroup = {
  metadata: { name: METRICS_GROUP, creationTimestamp: null },
  versions: [
    {
      version: METRICS_VERSION,
      freshness: 'Current',
      resources: METRICS_RESOURCES.map((r) => ({
        resource: r.resource,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.resource === 'nodes' ? 'node' : 'pod',
        verbs: VERBS,
      })),
    },
  ],
};

export const metricsResourceList = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: groupVersion.groupVersion,
  resources: METRICS_RESOURCES.map((r) => ({
    name: r.resource,
    singularName: '',
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: VERBS,
  })),
};
