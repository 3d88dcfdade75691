// NodeMetrics and PodMetrics as metrics-server renders them: CPU in nanocores, memory in KiB.
// k8s: sigs.k8s.io/metrics-server pkg/api (node.go, pod.go) and the metrics.k8s.io/v1beta1 types.
import { METRICS_API_VERSION, type ContainerUsage } from '../../api/metrics';
import { rfc3339 } from '../../lib/time';
import type { PodSample, StoredSample } from './shard';

function usage(u: { cpu: number; memory: number }) {
  return { cpu: `${Math.round(u.cpu)}n`, memory: `${Math.round(u.memory / 1024)}Ki` };
}

export function nodeMetrics(s: StoredSample) {
  const at = rfc3339(s.receivedAt);
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name: s.node, creationTimestamp: at, ...(s.labels ? { labels: s.labels } : {}) },
    timestamp: at,
    window: `${s.windowSeconds}s`,
    usage: usage(s),
  };
}

export function podMetrics(p: PodSample) {
  const at = rfc3339(p.receivedAt);
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: {
      name: p.name,
      namespace: p.namespace,
      creationTimestamp: at,
      ...(p.labels ? { labels: p.labels } : {}),
    },
    timestamp: at,
    window: `${p.windowSeconds}s`,
    containers: p.containers.map((c: ContainerUsage) => ({ name: c.name, usage: usage(c) })),
  };
}

export function metricsList(kind: 'NodeMetricsList' | 'PodMetricsList', items: unknown[]) {
  return { kind, apiVersion: METRICS_API_VERSION, metadata: {}, items };
}
