// Which pod goes first under memory pressure, and what its eviction says.
// k8s: pkg/kubelet/eviction/helpers.go (rankMemoryPressure: exceedMemoryRequests, priority, memory;
// evictionMessage), pkg/apis/core/v1/helper/qos (GetPodQOS), pkg/api/v1/resource
// (GetResourceRequestQuantity), pkg/kubelet/types/pod_update.go (IsCriticalPod).
import type { ContainerUsage } from '../../api/metrics';
import { formatBytes, parseQuantity } from '../../lib/quantity';
import type { Container, Pod } from '../types';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** Fields of a pod's spec the agent's own Pod type leaves out. */
interface SchedulingSpec {
  priority?: number;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
}

const spec = (pod: Pod) => pod.spec as Pod['spec'] & SchedulingSpec;

function amount(v: string | undefined): number {
  if (v === undefined) return 0;
  try {
    return parseQuantity(v).value();
  } catch {
    return 0;
  }
}

/**
 * k8s GetPodQOS: BestEffort when no container requests or limits cpu or memory; Guaranteed when every
 * container has cpu and memory limits and any request it sets equals its limit; Burstable otherwise.
 */
export function qosClass(pod: Pod): QosClass {
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && parseQuantity(req[r]).cmp(parseQuantity(lim[r])) !== 0)
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const memoryRequest = (c: Container) => amount(c.resources?.requests?.memory);

/**
 * k8s GetResourceRequestQuantity: the app containers and sidecars together, or the largest regular
 * init container (with the sidecars started before it) if that is more.
 */
export function podMemoryRequest(pod: Pod): number {
  let sidecars = 0;
  let initPeak = 0;
  for (const c of pod.spec.initContainers ?? []) {
    if (c.restartPolicy === 'Always') sidecars += memoryRequest(c);
    else initPeak = Math.max(initPeak, sidecars + memoryRequest(c));
  }
  const app = pod.spec.containers.reduce((a, c) => a + memoryRequest(c), 0) + sidecars;
  return Math.max(app, initPeak);
}

export const podPriority = (pod: Pod) => spec(pod).priority ?? 0;

/** k8s: scheduling.SystemCriticalPriority; pods at or above it are never evicted nor refused. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
export const isCriticalPod = (pod: Pod) => podPriority(pod) >= SYSTEM_CRITICAL_PRIORITY;

/** Whether the pod tolerates node.kubernetes.io/memory-pressure:NoSchedule (k8s TolerationsTolerateTaint). */
export function toleratesMemoryPressure(pod: Pod): boolean {
  return (spec(pod).tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== 'NoSchedule') return false;
    if (t.key && t.key !== 'node.kubernetes.io/memory-pressure') return false;
    if (t.operator === 'Exists') return true;
    return (t.operator ?? 'Equal') === 'Equal' && !t.value;
  });
}

/** Each pod's measured containers, by UID; a pod absent here had no figures yet. */
export type PodStats = Map<string, ContainerUsage[]>;

const workingSet = (usage: ContainerUsage[]) => usage.reduce((a, c) => a + c.memory, 0);

/** -1 puts `a` first: true before false. */
const firstIf = (a: boolean, b: boolean) => (a === b ? 0 : a ? -1 : 1);

/**
 * k8s rankMemoryPressure: pods using more memory than they request first, then lower priority
 * first, then the larger use above the request first. A pod with no figures goes before one with.
 */
export function rankMemoryPressure(pods: Pod[], stats: PodStats): Pod[] {
  const facts = new Map(
    pods.map((p) => {
      const usage = stats.get(p.metadata.uid!);
      const request = podMemoryRequest(p);
      return [p, usage ? { over: workingSet(usage) - request } : undefined] as const;
    }),
  );
  return [...pods].sort((a, b) => {
    const fa = facts.get(a);
    const fb = facts.get(b);
    if (!fa || !fb) return firstIf(!fa, !fb);
    const exceeds = firstIf(fa.over > 0, fb.over > 0);
    if (exceeds !== 0) return exceeds;
    const pa = podPriority(a);
    const pb = podPriority(b);
    if (pa !== pb) return pa < pb ? -1 : 1;
    return fb.over - fa.over;
  });
}

const canonical = (v: string | undefined) => {
  if (v === undefined) return '0';
  try {
    return parseQuantity(v).toString();
  } catch {
    return v;
  }
};

/**
 * k8s evictionMessage for memory: the threshold crossed and, for each container using more than it
 * requests, its use. Each sentence ends with ". " as upstream's.
 */
export function evictionMessage(
  pod: Pod,
  usage: ContainerUsage[] | undefined,
  thresholdBytes: number | undefined,
  thresholdText: string | undefined,
  availableBytes: number,
): string {
  let message = 'The node was low on resource: memory. ';
  if (thresholdBytes !== undefined)
    message += `Threshold quantity: ${thresholdText ?? formatBytes(thresholdBytes)}, available: ${formatBytes(Math.max(0, availableBytes))}. `;
  const specs = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  for (const u of usage ?? []) {
    const c = specs.find((s) => s.name === u.name);
    if (!c) continue;
    const request = c.resources?.requests?.memory;
    if (u.memory > amount(request))
      message += `Container ${c.name} was using ${formatBytes(u.memory)}, request is ${canonical(request)}, has larger consumption of memory. `;
  }
  return message;
}
