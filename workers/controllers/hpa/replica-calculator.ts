// How many replicas a resource metric asks for: upstream's ratio, tolerance, and its handling of pods
// with no metrics yet, pods not ready, and pods still starting.
// k8s: pkg/controller/podautoscaler/replica_calculator.go (GetResourceReplicas, calcPlainMetricReplicas,
// groupPods) and metrics/utilization.go.
import type { Pod } from '../../../src/api/core';
import { podReadyCondition } from '../../../src/api/pod';
import { parseQuantity } from '../../../src/lib/quantity';

/** --horizontal-pod-autoscaler-tolerance: ratios within 10% of 1 do not scale. */
export const TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay. */
export const INITIAL_READINESS_DELAY_MS = 30_000;

export interface PodMetric {
  /** Usage in milli-units (millicores, or milli-bytes), as upstream's MilliValue. */
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface ReplicaInput {
  resource: string;
  /** Only this container's use and request (ContainerResource metrics). */
  container?: string;
  pods: Pod[];
  metrics: Map<string, PodMetric>;
  currentReplicas: number;
  now: number;
}

export interface Recommendation {
  replicas: number;
  /** Average utilization, percent of request (Utilization targets). */
  utilization?: number;
  /** Average use per pod, in milli-units. */
  averageValue: number;
  /** When the metrics were taken (the oldest one used). */
  timestamp: number;
}

export class MetricsError extends Error {}

function podRequest(pod: Pod, resource: string, container?: string): number {
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    if (container && c.name !== container) continue;
    const q = (c.resources as { requests?: Record<string, unknown> } | undefined)?.requests?.[
      resource
    ];
    if (q === undefined)
      throw new MetricsError(
        `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`,
      );
    total += parseQuantity(String(q)).milli();
  }
  return total;
}

interface Groups {
  ready: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

// k8s: replica_calculator.go groupPods
function groupPods(input: ReplicaInput): Groups {
  const g: Groups = { ready: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of input.pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = input.metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (input.resource === 'cpu') {
      const cond = podReadyCondition(pod);
      const start = Date.parse(String(pod.status?.startTime ?? ''));
      let unready: boolean;
      if (!cond || Number.isNaN(start)) unready = true;
      else {
        const transition = Date.parse(cond.lastTransitionTime ?? '') || 0;
        if (start + CPU_INITIALIZATION_PERIOD_MS > input.now)
          // Starting: its sample counts once it is ready and a whole window was measured since.
          unready = cond.status === 'False' || metric.timestamp < transition + metric.windowMs;
        // Started long ago: ignored only if it never became ready.
        else unready = cond.status === 'False' && start + INITIAL_READINESS_DELAY_MS > transition;
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.ready++;
  }
  return g;
}

export type Target = { utilization: number } | { averageValue: number };

function ratioOf(
  metrics: Map<string, PodMetric>,
  requests: Map<string, number>,
  target: Target,
): { ratio: number; utilization?: number; average: number } {
  let used = 0;
  let requested = 0;
  for (const [name, m] of metrics) {
    used += m.value;
    requested += requests.get(name) ?? 0;
  }
  const average = metrics.size ? used / metrics.size : 0;
  if ('utilization' in target) {
    if (requested === 0) throw new MetricsError('no metrics returned matched known pods');
    const utilization = Math.trunc((used * 100) / requested);
    return { ratio: utilization / target.utilization, utilization, average };
  }
  return { ratio: average / target.averageValue, average };
}

/** GetResourceReplicas (Utilization) and GetRawResourceReplicas (AverageValue) in one. */
export function resourceReplicas(input: ReplicaInput, target: Target): Recommendation {
  if (input.pods.length === 0)
    throw new MetricsError('no pods returned by selector while calculating replica count');
  const g = groupPods(input);
  const metrics = new Map(input.metrics);
  for (const name of [...metrics.keys()])
    if (
      g.ignored.has(name) ||
      g.unready.has(name) ||
      !input.pods.some((p) => p.metadata.name === name)
    )
      metrics.delete(name);
  const requests = new Map<string, number>();
  if ('utilization' in target)
    for (const pod of input.pods)
      requests.set(pod.metadata.name!, podRequest(pod, input.resource, input.container));
  if (metrics.size === 0)
    throw new MetricsError('did not receive metrics for targeted pods (pods might be unready)');
  const timestamp = Math.min(...[...metrics.values()].map((m) => m.timestamp));
  const first = ratioOf(metrics, requests, target);
  const current = input.currentReplicas;
  const done = (replicas: number): Recommendation => ({
    replicas,
    utilization: first.utilization,
    averageValue: first.average,
    timestamp,
  });
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= TOLERANCE) return done(current);
    return done(Math.ceil(first.ratio * g.ready));
  }
  // Missing pods are assumed at 100% of target when scaling down, 0 when scaling up; unready pods
  // at 0 when scaling up: the conservative reading in both directions.
  for (const name of g.missing) {
    const fallback = 'utilization' in target ? (requests.get(name) ?? 0) : target.averageValue;
    metrics.set(name, { value: first.ratio < 1 ? fallback : 0, timestamp, windowMs: 0 });
  }
  if (scaleUpWithUnready)
    for (const name of g.unready) metrics.set(name, { value: 0, timestamp, windowMs: 0 });
  const next = ratioOf(metrics, requests, target);
  if (
    Math.abs(1 - next.ratio) <= TOLERANCE ||
    (first.ratio < 1 && next.ratio > 1) ||
    (first.ratio > 1 && next.ratio < 1)
  )
    return done(current);
  const replicas = Math.ceil(next.ratio * metrics.size);
  if ((next.ratio < 1 && replicas > current) || (next.ratio > 1 && replicas < current))
    return done(current);
  return done(replicas);
}
