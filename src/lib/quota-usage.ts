// What an object costs against a ResourceQuota (its usage), in milli-units, and how quota
// quantities print. k8s: pkg/quota/v1/evaluator/core/pods.go and services.go;
// staging/src/k8s.io/component-helpers/resource/helpers.go (PodRequests, PodLimits).
import { formatBytes, formatCpuMilli, parseQuantity } from './quantity';

/** The slice of an object usage reads. */
export interface Obj {
  metadata: { deletionTimestamp?: string };
  spec?: unknown;
  status?: unknown;
}

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
type Ctr = { resources?: Resources; restartPolicy?: string };

/** Usage in milli-units by quota resource name ("pods", "requests.cpu", "count/deployments.apps"). */
export type Usage = Map<string, number>;

const milli = (q: unknown) => {
  try {
    return parseQuantity(String(q)).milli();
  } catch {
    return 0;
  }
};

/** A quantity in milli-units printed as the API prints that resource: cpu in cores, bytes binary, counts plain. */
export function formatUsage(resource: string, m: number): string {
  if (/(^|\.)cpu$/.test(resource)) return formatCpuMilli(m);
  if (/memory|storage$/.test(resource)) return formatBytes(m / 1000);
  return String(Math.ceil(m / 1000));
}

export const parseUsage = milli;

/** k8s: PodRequests/PodLimits: the app containers' sum (sidecars included), or the largest init container if more. */
function podTotals(pod: Obj, which: 'requests' | 'limits'): Map<string, number> {
  const spec = (pod.spec ?? {}) as {
    containers?: Ctr[];
    initContainers?: Ctr[];
    overhead?: Record<string, unknown>;
  };
  const sum = new Map<string, number>();
  const add = (m: Map<string, number>, r: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(r ?? {})) m.set(k, (m.get(k) ?? 0) + milli(v));
  };
  for (const c of spec.containers ?? []) add(sum, c.resources?.[which]);
  let sidecars = new Map<string, number>();
  for (const c of spec.initContainers ?? []) {
    const own = new Map<string, number>();
    add(own, c.resources?.[which]);
    if (c.restartPolicy === 'Always') {
      add(sum, c.resources?.[which]);
      sidecars = new Map([...own].map(([k, v]) => [k, (sidecars.get(k) ?? 0) + v]));
      continue;
    }
    for (const [k, v] of own) {
      const withSidecars = v + (sidecars.get(k) ?? 0);
      if (withSidecars > (sum.get(k) ?? 0)) sum.set(k, withSidecars);
    }
  }
  add(sum, spec.overhead);
  return sum;
}

const isTerminal = (pod: Obj) => {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
};

/** The kinds whose count has a legacy quota name besides count/<resource>. */
const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
  persistentvolumeclaims: 'persistentvolumeclaims',
};

/** What one object of `resource` (plural, with its group) costs against quotas. */
export function usageOf(resource: { group: string; resource: string }, obj: Obj): Usage {
  const u: Usage = new Map();
  const countName = resource.group
    ? `count/${resource.resource}.${resource.group}`
    : `count/${resource.resource}`;
  if (resource.group === '' && resource.resource === 'pods') {
    if (isTerminal(obj) || obj.metadata.deletionTimestamp) return u;
    u.set('pods', 1000);
    u.set(countName, 1000);
    for (const [which, prefix] of [
      ['requests', 'requests.'],
      ['limits', 'limits.'],
    ] as const)
      for (const [k, v] of podTotals(obj, which)) {
        u.set(prefix + k, v);
        // The bare names mean requests, as upstream.
        if (which === 'requests' && (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage'))
          u.set(k, v);
      }
    return u;
  }
  u.set(countName, 1000);
  if (resource.group === '' && LEGACY_COUNTS[resource.resource])
    u.set(LEGACY_COUNTS[resource.resource], 1000);
  if (resource.group === '' && resource.resource === 'services') {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: unknown[] };
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
      u.set('services.nodeports', (spec.ports?.length ?? 0) * 1000);
    if (spec.type === 'LoadBalancer') u.set('services.loadbalancers', 1000);
  }
  if (resource.group === '' && resource.resource === 'persistentvolumeclaims') {
    const req = (obj.spec as { resources?: Resources } | undefined)?.resources?.requests?.storage;
    if (req !== undefined) u.set('requests.storage', milli(req));
  }
  return u;
}

/** Upstream's "cpu=1,memory=1Gi": quota resource names sorted, with their quantities. */
export function describeUsage(names: string[], values: (name: string) => number): string {
  return [...names]
    .sort()
    .map((n) => `${n}=${formatUsage(n, values(n))}`)
    .join(',');
}
