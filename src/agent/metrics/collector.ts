// The contract between the metrics reporter and each runtime's way of measuring use.
import type { ContainerUsage } from '../../api/metrics';
import type { ContainerInstance, Runtime } from '../runtime';
import type { Pod } from '../types';

export interface UsageSample {
  /** The node's own use; cpu is undefined until a rate can be measured (two samples). */
  node: { cpu?: number; memory: number };
  /** Running containers' use by pod UID; a pod with no figure yet is absent. */
  pods: Map<string, ContainerUsage[]>;
  /** Pods measured for memory but with no CPU rate yet (not reported; the eviction manager uses them). */
  unrated?: Map<string, ContainerUsage[]>;
}

export interface UsageCollector {
  sample(pods: Pod[], nowMs: number): Promise<UsageSample>;
}

/** The newest running instance of each app container of a pod (init containers are not reported, as kubelet). */
export function runningContainers(runtime: Runtime, podUid: string): ContainerInstance[] {
  const byName = new Map<string, ContainerInstance>();
  for (const c of runtime.containers(podUid))
    if (!c.init && c.state === 'running') byName.set(c.name, c);
  return [...byName.values()];
}
