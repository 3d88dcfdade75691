// The scheduling queue: activeQ, podBackoffQ and the unschedulable pool, as upstream's PriorityQueue.
// k8s: pkg/scheduler/backend/queue/scheduling_queue.go (formerly pkg/scheduler/internal/queue)
import { Heap } from './heap';
import type { Pod } from './types';

// k8s: pkg/scheduler/apis/config/v1/defaults.go: podInitialBackoffSeconds 1, podMaxBackoffSeconds 10.
export const POD_INITIAL_BACKOFF_MS = 1_000;
export const POD_MAX_BACKOFF_MS = 10_000;
// k8s: scheduling_queue.go DefaultPodMaxInUnschedulablePodsDuration: a pod no event moved is retried after this anyway.
export const POD_MAX_IN_UNSCHEDULABLE_PODS_MS = 5 * 60_000;

/** A pod waiting to be scheduled, and what the queue remembers about its attempts. */
export interface QueuedPodInfo {
  key: string;
  pod: Pod;
  /** When the pod last entered the queue or last failed: activeQ order and the start of its backoff. */
  timestamp: number;
  /** Tie-breaker among equal timestamps: the order the queue saw the pods in. */
  seq: number;
  attempts: number;
  /** The scheduling cycle that last popped the pod (see moveRequestCycle). */
  cycle: number;
  /** The filter plugins that rejected the pod on some node in its last attempt (empty: there were no nodes). */
  unschedulablePlugins: Set<string>;
  /** Held back by spec.schedulingGates (upstream's SchedulingGates PreEnqueue plugin). */
  gated: boolean;
}

export const podKey = (pod: Pod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
const priority = (p: Pod) => p.spec?.priority ?? 0;
const isGated = (p: Pod) =>
  ((p.spec as { schedulingGates?: unknown[] } | undefined)?.schedulingGates ?? []).length > 0;

/** k8s: scheduling_queue.go calculateBackoffDuration: initial, doubled per further attempt, capped. */
export function backoffDuration(attempts: number): number {
  let d = POD_INITIAL_BACKOFF_MS;
  for (let i = 1; i < attempts; i++) {
    d *= 2;
    if (d >= POD_MAX_BACKOFF_MS) return POD_MAX_BACKOFF_MS;
  }
  return d;
}

const backoffExpiry = (p: QueuedPodInfo) => p.timestamp + backoffDuration(p.attempts);

export class SchedulingQueue {
  /** k8s: queuesort/priority_sort.go: higher priority first, then the earlier arrival. */
  private readonly activeQ = new Heap<QueuedPodInfo>(
    (p) => p.key,
    (a, b) =>
      priority(b.pod) < priority(a.pod) ||
      (priority(a.pod) === priority(b.pod) &&
        (a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq))),
  );
  private readonly podBackoffQ = new Heap<QueuedPodInfo>(
    (p) => p.key,
    (a, b) => backoffExpiry(a) < backoffExpiry(b),
  );
  private readonly unschedulablePods = new Map<string, QueuedPodInfo>();
  private seq = 0;
  private schedulingCycle = 0;
  /**
   * The cycle current when an event last moved pods. A pod popped in that cycle or before, that
   * then fails, may have missed the event that would cure it, so it goes to backoffQ, not the pool.
   */
  private moveRequestCycle = -1;

  constructor(private readonly now: () => number) {}

  get lengths(): { active: number; backoff: number; unschedulable: number } {
    return {
      active: this.activeQ.size,
      backoff: this.podBackoffQ.size,
      unschedulable: this.unschedulablePods.size,
    };
  }

  get(key: string): QueuedPodInfo | undefined {
    return this.activeQ.get(key) ?? this.podBackoffQ.get(key) ?? this.unschedulablePods.get(key);
  }

  /** Which sub-queue holds the pod, for tests and metrics. */
  where(key: string): 'active' | 'backoff' | 'unschedulable' | undefined {
    if (this.activeQ.has(key)) return 'active';
    if (this.podBackoffQ.has(key)) return 'backoff';
    if (this.unschedulablePods.has(key)) return 'unschedulable';
    return undefined;
  }

  /** A new pending pod. Answers true when it is gated (it waits in the pool until its gates go). */
  add(pod: Pod): boolean {
    const key = podKey(pod);
    if (this.get(key)) {
      this.update(pod);
      return this.get(key)?.gated ?? false;
    }
    const info: QueuedPodInfo = {
      key,
      pod,
      timestamp: this.now(),
      seq: this.seq++,
      attempts: 0,
      cycle: 0,
      unschedulablePlugins: new Set(),
      gated: isGated(pod),
    };
    if (info.gated) this.unschedulablePods.set(key, info);
    else this.activeQ.addOrUpdate(info);
    return info.gated;
  }

  /**
   * The pending pod changed. A change to what scheduling reads (spec, labels, annotations) may
   * cure it, so an unschedulable pod moves on; a status-only change (our own condition) does not.
   * k8s: scheduling_queue.go Update, isPodUpdated
   */
  update(pod: Pod): void {
    const key = podKey(pod);
    const inActive = this.activeQ.get(key) ?? this.podBackoffQ.get(key);
    if (inActive) {
      inActive.pod = pod;
      if (this.activeQ.has(key)) this.activeQ.addOrUpdate(inActive);
      else this.podBackoffQ.addOrUpdate(inActive);
      return;
    }
    const info = this.unschedulablePods.get(key);
    if (!info) {
      this.add(pod);
      return;
    }
    const old = info.pod;
    info.pod = pod;
    if (info.gated) {
      if (isGated(pod)) return;
      info.gated = false;
      this.unschedulablePods.delete(key);
      info.timestamp = this.now();
      this.activeQ.addOrUpdate(info);
      return;
    }
    if (schedulingInputsChanged(old, pod)) this.moveToActiveOrBackoff(info);
  }

  delete(key: string): void {
    this.activeQ.delete(key);
    this.podBackoffQ.delete(key);
    this.unschedulablePods.delete(key);
  }

  /** The next pod to try, counting the attempt. */
  pop(): QueuedPodInfo | undefined {
    const info = this.activeQ.pop();
    if (!info) return undefined;
    info.attempts++;
    info.cycle = ++this.schedulingCycle;
    return info;
  }

  /**
   * A pod that fit nowhere. It waits in the pool for an event that could cure it, unless such an
   * event came while it was being tried. k8s: scheduling_queue.go AddUnschedulableIfNotPresent
   */
  addUnschedulable(info: QueuedPodInfo, plugins: Set<string>): void {
    if (this.get(info.key)) return;
    info.unschedulablePlugins = plugins;
    info.timestamp = this.now();
    if (this.moveRequestCycle >= info.cycle) this.podBackoffQ.addOrUpdate(info);
    else this.unschedulablePods.set(info.key, info);
  }

  /** A pod whose attempt failed with an error (not a verdict): retried after its backoff. */
  addBackoff(info: QueuedPodInfo): void {
    if (this.get(info.key)) return;
    info.timestamp = this.now();
    this.podBackoffQ.addOrUpdate(info);
  }

  /**
   * A cluster event: every pooled pod `couldHelp` says yes for moves on (to backoffQ while its
   * backoff lasts, else to activeQ). Answers how many moved. k8s: MoveAllToActiveOrBackoffQueue
   */
  moveAllToActiveOrBackoff(couldHelp: (info: QueuedPodInfo) => boolean): number {
    this.moveRequestCycle = this.schedulingCycle;
    let moved = 0;
    for (const info of [...this.unschedulablePods.values()]) {
      if (info.gated || !couldHelp(info)) continue;
      this.moveToActiveOrBackoff(info);
      moved++;
    }
    return moved;
  }

  /** Pods whose backoff ended go to activeQ. k8s: flushBackoffQCompleted */
  flushBackoffCompleted(): number {
    const t = this.now();
    let moved = 0;
    for (
      let top = this.podBackoffQ.peek();
      top && backoffExpiry(top) <= t;
      top = this.podBackoffQ.peek()
    ) {
      this.podBackoffQ.pop();
      this.activeQ.addOrUpdate(top);
      moved++;
    }
    return moved;
  }

  /** Pods that waited in the pool longer than the limit are tried again. k8s: flushUnschedulablePodsLeftover */
  flushUnschedulableLeftover(): number {
    const t = this.now();
    let moved = 0;
    for (const info of [...this.unschedulablePods.values()]) {
      if (info.gated || t - info.timestamp < POD_MAX_IN_UNSCHEDULABLE_PODS_MS) continue;
      this.moveToActiveOrBackoff(info);
      moved++;
    }
    return moved;
  }

  /** When the first pod in backoffQ is due, or undefined. */
  nextBackoffAt(): number | undefined {
    const top = this.podBackoffQ.peek();
    return top ? backoffExpiry(top) : undefined;
  }

  private moveToActiveOrBackoff(info: QueuedPodInfo): void {
    this.unschedulablePods.delete(info.key);
    if (info.attempts > 0 && backoffExpiry(info) > this.now()) this.podBackoffQ.addOrUpdate(info);
    else this.activeQ.addOrUpdate(info);
  }
}

/** What the scheduler reads of a pod changed (not only its status or bookkeeping). */
function schedulingInputsChanged(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => JSON.stringify([p.spec, p.metadata.labels, p.metadata.annotations]);
  return strip(a) !== strip(b);
}
