// A node's eviction manager: watches memory.available on each usage sample, reports MemoryPressure,
// refuses BestEffort pods while it holds, and evicts one pod per sample while a threshold is crossed.
// k8s: pkg/kubelet/eviction/eviction_manager.go (synchronize, Admit, evictPod).
import type { UsageSample } from '../metrics/collector';
import { formatBytes } from '../../lib/quantity';
import type { Pod } from '../types';
import {
  evictionMessage,
  isCriticalPod,
  qosClass,
  rankMemoryPressure,
  toleratesMemoryPressure,
} from './rank';
import {
  isHard,
  thresholdBytes,
  thresholdMet,
  type EvictionConfig,
  type Threshold,
} from './thresholds';

/** k8s: eviction.Reason, the pod status reason of an evicted or refused pod. */
export const EVICTED_REASON = 'Evicted';

export interface PodEviction {
  reason: string;
  message: string;
  /** Kill with this grace (kubelet: 0, which the runtime raises to its minimum). */
  graceSeconds: number;
  /** The DisruptionTarget condition an eviction adds to the pod's status. */
  condition?: { type: string; status: 'True'; reason: string; message: string };
}

export type AdmitResult = { admit: true } | { admit: false; reason: string; message: string };

export interface EvictionManagerOptions {
  config: EvictionConfig;
  /** The node's memory capacity in bytes (its status.capacity.memory). */
  capacityBytes: number;
  /**
   * The machine's memory when the node declares a smaller capacity (--memory) on a real runtime:
   * the node is then a slice, its working set its pods', and the machine's own shortage counts too.
   */
  machineBytes?: number;
  /** Pods that may be evicted: admitted and not finished. */
  activePods(): Pod[];
  /** An evicted pod is still being killed: kubelet waits for it before evicting another. */
  evictionPending?(): boolean;
  /** Terminates the pod (kill, then status Failed with the eviction's reason, message and condition). */
  evict(pod: Pod, eviction: PodEviction): boolean;
  /** The node's conditions changed: report the node status now. */
  conditionsChanged(): void;
  /** A Warning event on the Node (EvictionThresholdMet). */
  nodeEvent?(reason: string, message: string): void;
  log(message: string): void;
}

export interface Observation {
  availableBytes: number;
  atMs: number;
}

export class EvictionManager {
  private memoryPressure = false;
  /** When a threshold was first seen met, while it stays met. */
  private readonly firstMet = new Map<Threshold, number>();
  private pressureLastSeen?: number;
  private last?: Observation;

  constructor(private readonly opts: EvictionManagerOptions) {}

  /** MemoryPressure as the node status should report it. */
  get underMemoryPressure(): boolean {
    return this.memoryPressure;
  }

  get lastObservation(): Observation | undefined {
    return this.last;
  }

  /**
   * k8s synchronize, for one usage sample: thresholds met, the condition (held for the transition
   * period after the last time one was met), then at most one eviction if a threshold's grace is over.
   */
  observe(sample: UsageSample, nowMs: number): void {
    const { config, capacityBytes } = this.opts;
    const available = memoryAvailable(sample, capacityBytes, this.opts.machineBytes);
    this.last = { availableBytes: available, atMs: nowMs };
    const met = config.thresholds.filter((t) => thresholdMet(t, capacityBytes, available));
    for (const t of [...this.firstMet.keys()]) if (!met.includes(t)) this.firstMet.delete(t);
    for (const t of met) if (!this.firstMet.has(t)) this.firstMet.set(t, nowMs);
    if (met.length > 0) this.pressureLastSeen = nowMs;
    const pressure =
      this.pressureLastSeen !== undefined &&
      nowMs - this.pressureLastSeen < config.pressureTransitionMs;
    if (pressure !== this.memoryPressure) {
      this.memoryPressure = pressure;
      this.opts.log(
        pressure
          ? `memory pressure: ${formatBytes(Math.max(0, available))} available`
          : 'memory pressure ended',
      );
      this.opts.conditionsChanged();
    }
    const due = met.filter((t) => nowMs - this.firstMet.get(t)! >= t.gracePeriodMs);
    if (due.length === 0) return;
    this.reclaim(due, sample, available);
  }

  private reclaim(due: Threshold[], sample: UsageSample, available: number): void {
    const { capacityBytes } = this.opts;
    // k8s: after an eviction the manager waits for the pod's cleanup before it looks again.
    if (this.opts.evictionPending?.()) return;
    const threshold = due.find(isHard) ?? due[0];
    this.opts.nodeEvent?.('EvictionThresholdMet', 'Attempting to reclaim memory');
    const pods = this.opts.activePods();
    if (pods.length === 0) {
      this.opts.log('eviction thresholds have been met, but no pods are active to evict');
      return;
    }
    const bytes = thresholdBytes(threshold, capacityBytes);
    // A pod whose CPU has no rate yet still has its memory measured: it is ranked by it.
    const stats = new Map([...(sample.unrated ?? []), ...sample.pods]);
    for (const pod of rankMemoryPressure(pods, stats)) {
      // k8s evictPod: a critical pod is never evicted; the next in rank is.
      if (isCriticalPod(pod)) continue;
      const message = evictionMessage(
        pod,
        stats.get(pod.metadata.uid!),
        bytes,
        threshold.bytes !== undefined ? threshold.text : undefined,
        available,
      );
      const done = this.opts.evict(pod, {
        reason: 'Evicted',
        message,
        // k8s: 0 for a hard threshold, --eviction-max-pod-grace-period (default 0) for a soft one;
        // the runtime raises it to its 2 s minimum.
        graceSeconds: 0,
        condition: {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'TerminationByKubelet',
          message,
        },
      });
      if (done) {
        this.opts.log(`evicted pod ${pod.metadata.namespace}/${pod.metadata.name}: ${message}`);
        return;
      }
    }
    this.opts.log('unable to evict any pods from the node');
  }

  /**
   * k8s Admit: under memory pressure alone, a BestEffort pod is refused unless it tolerates the
   * memory-pressure taint; critical pods are always admitted.
   */
  admit(pod: Pod): AdmitResult {
    if (!this.memoryPressure || isCriticalPod(pod)) return { admit: true };
    if (qosClass(pod) !== 'BestEffort' || toleratesMemoryPressure(pod)) return { admit: true };
    return {
      admit: false,
      reason: EVICTED_REASON,
      message: 'The node had condition: [MemoryPressure]. ',
    };
  }
}

/**
 * k8s memory.available: capacity − the node's working set. A node declared smaller than its machine
 * counts its pods against the declared capacity, and is short whenever the machine is.
 */
export function memoryAvailable(
  sample: UsageSample,
  capacityBytes: number,
  machineBytes?: number,
): number {
  if (machineBytes === undefined || machineBytes <= capacityBytes)
    return capacityBytes - sample.node.memory;
  let pods = 0;
  for (const map of [sample.pods, sample.unrated ?? new Map<string, never>()])
    for (const usage of map.values()) for (const c of usage) pods += c.memory;
  return Math.min(capacityBytes - pods, machineBytes - sample.node.memory);
}
