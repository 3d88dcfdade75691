// Pod usage from metrics.k8s.io, as the HPA's resource metrics client reads it.
// k8s: pkg/controller/podautoscaler/metrics/client.go (resourceMetricsClient.GetResourceMetric)
import { METRICS_API_VERSION } from '../../../src/api/metrics';
import type { KubeClient } from '../../../src/client/client';
import { parseQuantity } from '../../../src/lib/quantity';
import type { PodMetric } from './replica-calculator';

/** metrics-server writes windows as Go durations of whole seconds ("15s", "1m0s"). */
function windowMs(w: string): number {
  let ms = 0;
  for (const [, n, unit] of w.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g))
    ms += Number(n) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1);
  return ms;
}

interface PodMetrics {
  metadata: { name: string };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Record<string, string> }[];
}

export async function podMetrics(
  client: KubeClient,
  namespace: string,
  selector: string,
  resource: string,
  container?: string,
): Promise<Map<string, PodMetric>> {
  const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
  const res = await client.raw(
    'GET',
    `/apis/${METRICS_API_VERSION}/namespaces/${encodeURIComponent(namespace)}/pods${q}`,
  );
  const list = (await res.json()) as { items?: PodMetrics[] };
  const out = new Map<string, PodMetric>();
  for (const m of list.items ?? []) {
    let value = 0;
    let missing = false;
    for (const c of m.containers) {
      if (container && c.name !== container) continue;
      const u = c.usage[resource];
      if (u === undefined) {
        missing = true;
        break;
      }
      value += parseQuantity(u).milli();
    }
    // A pod without the resource for one of its containers has no metric (upstream skips it).
    if (missing || (container && !m.containers.some((c) => c.name === container))) continue;
    out.set(m.metadata.name, {
      value,
      timestamp: Date.parse(m.timestamp),
      windowMs: windowMs(m.window),
    });
  }
  if (out.size === 0)
    throw new Error(
      `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`,
    );
  return out;
}
