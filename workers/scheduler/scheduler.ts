// The scheduler: informer events feed the cache and the queue; a pass pops pods, filters and scores them against the cache, assumes and binds.
// k8s: pkg/scheduler/schedule_one.go (ScheduleOne, handleSchedulingFailure), eventhandlers.go (addPodToCache, addNodeToCache, ...)
import type { KubeClient } from '../../src/client/client';
import { isConflict, isNotFound } from '../../src/client/errors';
import type { InformerEvent } from '../../src/client/informer';
import { SchedulerCache, countsOnNode } from './cache';
import { numFeasibleNodesToFind, schedule, type Profile } from './framework';
import { nodeSchedulingPropertiesChange, podFitsNode } from './queueing-hints';
import { podKey, SchedulingQueue, type QueuedPodInfo } from './queue';
import type { Node, Pod, PodCondition } from './types';

/** Pods popped per pass; the leader runs the next pass at once, after the watch events that came meanwhile. */
export const BATCH = 200;
/** Writes per pass (bindings, status patches, event batches): no pass writes without a bound. */
export const WRITE_BUDGET = 200;
/** Bindings in flight at once. */
export const PARALLEL = 64;

export const SCHEDULER_NAME = 'default-scheduler';
const GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates';

/** Where the scheduler's events go: collected during a pass, written together at its end. */
export interface EventSink {
  add(regarding: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Writes what was added; answers how many requests it took. */
  flush(): Promise<number>;
}

export interface SchedulerDeps {
  client: KubeClient;
  events: EventSink;
  profile: Profile;
  now(): number;
  rng?: () => number;
}

export interface PassStats {
  attempts: number;
  bound: number;
  failed: number;
  writes: number;
  /** More is ready to run at once (activeQ or status writes left for the next pass). */
  more: boolean;
}

const withKind = (p: Pod): Pod => (p.kind ? p : { ...p, apiVersion: 'v1', kind: 'Pod' });
const conditionsOf = (p: Pod): PodCondition[] => p.status?.conditions ?? [];
const rfc3339 = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** k8s: eventhandlers.go responsibleForPod plus the unassigned-pod filter of the queue's informer handler. */
function isPendingForUs(p: Pod): boolean {
  return (
    !p.spec?.nodeName &&
    !p.metadata.deletionTimestamp &&
    !isTerminal(p) &&
    (p.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME
  );
}

interface StatusWrite {
  pod: Pod;
  reason: 'Unschedulable' | 'SchedulingGated';
  message: string;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  /** Totals since start. */
  readonly stats = {
    attempts: 0,
    bound: 0,
    failed: 0,
    bindErrors: 0,
    writes: 0,
    passes: 0,
    moved: 0,
    scheduleMs: 0,
    bindMs: 0,
    statusMs: 0,
    eventsMs: 0,
  };
  /** Pods popped whose binding is in flight; the watch may tell us meanwhile that they are gone. */
  private readonly inFlight = new Map<string, { info: QueuedPodInfo; gone: boolean }>();
  /** PodScheduled=False conditions still to write, by pod key (the latest wins). */
  private readonly statusWrites = new Map<string, StatusWrite>();
  /** Where the next cycle starts filtering (upstream's nextStartNodeIndex). */
  private readonly nextStartNodeIndex = { index: 0 };

  constructor(private readonly deps: SchedulerDeps) {
    this.cache = new SchedulerCache(deps.now);
    this.queue = new SchedulingQueue(deps.now);
  }

  /** Work that a pass can do now. */
  hasWork(): boolean {
    return this.queue.lengths.active > 0 || this.statusWrites.size > 0;
  }

  onPod(event: InformerEvent<Pod>): void {
    const pod = withKind(event.object);
    const key = podKey(pod);
    const old = event.oldObject;
    const flight = this.inFlight.get(key);
    if (event.type === 'DELETED' || (!pod.spec?.nodeName && !isPendingForUs(pod))) {
      this.queue.delete(key);
      this.statusWrites.delete(key);
      if (flight) flight.gone = true;
      if (event.type === 'DELETED') {
        // Gone while assumed (its binding in flight or unconfirmed): stop counting it at once.
        if (this.cache.isAssumed(pod)) this.cache.forgetPod(pod);
        this.assignedPodGone(old ?? pod);
      }
      return;
    }
    if (pod.spec?.nodeName) {
      // Bound (by us or anyone): out of the queue, into the cache. k8s: addPodToCache, updatePodInCache
      this.queue.delete(key);
      this.statusWrites.delete(key);
      if (flight && flight.info.pod.metadata.uid !== pod.metadata.uid) flight.gone = true;
      const wasCounted = !!old && countsOnNode(old);
      this.cache.updatePod(pod);
      if (wasCounted && !countsOnNode(pod)) this.assignedPodGone(old!);
      return;
    }
    if (flight) {
      flight.info.pod = pod;
      return;
    }
    // Our own status write comes back as an update of a pod we assumed: nothing to do.
    if (this.cache.isAssumed(pod)) return;
    if (this.queue.get(key)) this.queue.update(pod);
    else if (this.queue.add(pod)) this.markGated(pod);
  }

  onNode(event: InformerEvent<Node>): void {
    const node = event.object;
    if (event.type === 'DELETED') {
      this.cache.removeNode(node);
      return;
    }
    const actions = event.oldObject
      ? nodeSchedulingPropertiesChange(event.oldObject, node)
      : ['NodeAdd'];
    const info = this.cache.updateNode(node);
    // Heartbeats and other changes no filter sees move nothing.
    if (actions.length === 0) return;
    this.moveIfFits((pod) => podFitsNode(pod, info, this.deps.profile));
  }

  /**
   * A claim, volume or class changed: pods held for their volumes may fit now.
   * k8s: volumebinding EventsToRegister (PersistentVolumeClaim, PersistentVolume, StorageClass)
   */
  onVolumeEvent(): void {
    this.moveIfFits((pod) =>
      ((pod.spec as { volumes?: { persistentVolumeClaim?: unknown }[] }).volumes ?? []).some(
        (v) => v.persistentVolumeClaim,
      ),
    );
  }

  /** Cron: pods that waited in the pool past the limit are tried again; assumed pods past their deadline stop counting. */
  resync(): void {
    this.queue.flushUnschedulableLeftover();
    this.cache.cleanupAssumedPods();
  }

  /** When the leader must look again without any event: a backoff ending, an assumed pod expiring. */
  nextDeadline(): number | undefined {
    const times = [this.queue.nextBackoffAt(), this.cache.nextExpiry()].filter(
      (t): t is number => t !== undefined,
    );
    return times.length ? Math.min(...times) : undefined;
  }

  /** One bounded pass. */
  async runPass(): Promise<PassStats> {
    this.stats.passes++;
    this.queue.flushBackoffCompleted();
    this.cache.cleanupAssumedPods();
    const pass: PassStats = { attempts: 0, bound: 0, failed: 0, writes: 0, more: false };
    const decisions: { info: QueuedPodInfo; node: string }[] = [];
    const clock = () => performance.now();
    let t = clock();
    // Each pod popped may cost one write (its binding or its condition): stop while the budget holds.
    while (pass.attempts < BATCH && decisions.length + this.statusWrites.size < WRITE_BUDGET) {
      const info = this.queue.pop();
      if (!info) break;
      pass.attempts++;
      this.stats.attempts++;
      const pod = info.pod;
      const nodes = this.cache.nodeInfos();
      const result = schedule(pod, nodes, this.deps.profile, {
        rng: this.deps.rng,
        feasibleNodesToFind: numFeasibleNodesToFind(nodes.length),
        start: this.nextStartNodeIndex,
      });
      if (result.scheduled) {
        this.cache.assumePod(pod, result.nodeName);
        this.inFlight.set(info.key, { info, gone: false });
        decisions.push({ info, node: result.nodeName });
        continue;
      }
      pass.failed++;
      this.stats.failed++;
      const plugins = new Set([...result.statuses.values()].map((s) => s.plugin ?? ''));
      this.queue.addUnschedulable(info, plugins);
      if (!hasCondition(pod, 'Unschedulable', result.message))
        this.statusWrites.set(info.key, { pod, reason: 'Unschedulable', message: result.message });
    }
    this.stats.scheduleMs += clock() - t;
    t = clock();
    // A pool, not chunks: one slow binding does not hold up the next PARALLEL-1.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, decisions.length) }, async () => {
        while (next < decisions.length) {
          const d = decisions[next++];
          await this.bindOne(d.info, d.node, pass);
        }
      }),
    );
    this.stats.bindMs += clock() - t;
    t = clock();
    await this.writeStatuses(pass, WRITE_BUDGET - decisions.length);
    this.stats.statusMs += clock() - t;
    // Events go out beside the next pass's bindings, one batch call at a time; never ahead of them.
    if (!this.flushing) this.flushing = this.flushEvents();
    this.stats.writes += pass.writes;
    pass.more = this.hasWork();
    return pass;
  }

  // k8s: schedule_one.go bindingCycle; handleBindingCycleError forgets the assumed pod and requeues.
  private async bindOne(info: QueuedPodInfo, node: string, pass: PassStats): Promise<void> {
    const pod = info.pod;
    const ns = pod.metadata.namespace!;
    pass.writes++;
    try {
      // k8s: schedule_one.go bindingCycle runs the PreBind plugins (VolumeBinding) first.
      for (const preBind of this.deps.profile.preBind ?? []) await preBind(pod, node);
      await this.deps.client.createSubresource(
        'pods',
        pod.metadata.name!,
        'binding',
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: pod.metadata.name, namespace: ns, uid: pod.metadata.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: node },
        },
        { namespace: ns },
      );
    } catch (e) {
      this.cache.forgetPod(pod);
      const flight = this.inFlight.get(info.key);
      this.inFlight.delete(info.key);
      this.stats.bindErrors++;
      // Bound by someone else or deleted: the watch says what became of it. Otherwise retry after backoff.
      if (flight?.gone || isNotFound(e)) return;
      if (!isConflict(e)) console.error(`scheduler: binding ${info.key} to ${node}: ${String(e)}`);
      this.queue.addBackoff(info);
      return;
    }
    this.inFlight.delete(info.key);
    this.cache.finishBinding(pod);
    pass.bound++;
    this.stats.bound++;
    // k8s: schedule_one.go: "Successfully assigned %v/%v to %v", reason Scheduled.
    this.deps.events.add(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${pod.metadata.name} to ${node}`,
    );
  }

  private flushing?: Promise<void>;

  private async flushEvents(): Promise<void> {
    const t = performance.now();
    try {
      this.stats.writes += await this.deps.events.flush();
    } finally {
      this.stats.eventsMs += performance.now() - t;
      this.flushing = undefined;
    }
  }

  /** Waits for the events of every pass so far to be written (the leader calls it when its queue is drained). */
  async settle(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.flushEvents();
    await this.flushing;
  }

  /** The room an assigned pod held is free: pods that now fit on its node move on. k8s: AssignedPodDelete */
  private assignedPodGone(pod: Pod): void {
    if (!pod.spec?.nodeName) return;
    this.cache.removePod(pod);
    const info = this.cache.nodeInfo(pod.spec.nodeName);
    if (info) this.moveIfFits((p) => podFitsNode(p, info, this.deps.profile));
  }

  private moveIfFits(fits: (pod: Pod) => boolean): void {
    if (this.queue.lengths.unschedulable === 0) return;
    this.stats.moved += this.queue.moveAllToActiveOrBackoff((info) => fits(info.pod));
  }

  // k8s: the SchedulingGates PreEnqueue plugin: a gated pod never enters activeQ; it only says why.
  private markGated(pod: Pod): void {
    if (!hasCondition(pod, 'SchedulingGated', GATED_MESSAGE))
      this.statusWrites.set(podKey(pod), {
        pod,
        reason: 'SchedulingGated',
        message: GATED_MESSAGE,
      });
  }

  /** PodScheduled=False writes, at most `budget` of them; the rest wait for the next pass. */
  private async writeStatuses(pass: PassStats, budget: number): Promise<void> {
    const batch = [...this.statusWrites.values()].slice(0, Math.max(0, budget));
    for (const w of batch) this.statusWrites.delete(podKey(w.pod));
    for (let i = 0; i < batch.length; i += PARALLEL) {
      await Promise.all(
        batch.slice(i, i + PARALLEL).map(async (w) => {
          pass.writes++;
          const ok = await this.writeCondition(w).catch((e: unknown) => {
            console.error(`scheduler: PodScheduled condition of ${podKey(w.pod)}: ${String(e)}`);
            return false;
          });
          if (ok && w.reason === 'Unschedulable')
            this.deps.events.add(w.pod, 'Warning', 'FailedScheduling', w.message);
        }),
      );
    }
  }

  private async writeCondition(w: StatusWrite): Promise<boolean> {
    const conditions: PodCondition[] = conditionsOf(w.pod).filter((c) => c.type !== 'PodScheduled');
    conditions.push({
      type: 'PodScheduled',
      status: 'False',
      reason: w.reason,
      message: w.message,
      lastProbeTime: null,
      lastTransitionTime: rfc3339(this.deps.now()),
    });
    try {
      await this.deps.client.patch(
        'pods',
        w.pod.metadata.name!,
        'merge',
        { status: { conditions } },
        {
          namespace: w.pod.metadata.namespace,
          subresource: 'status',
          fieldManager: SCHEDULER_NAME,
        },
      );
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

/** The pod already says this (a status write that changes nothing is skipped; it would only wake the loops). */
function hasCondition(pod: Pod, reason: string, message: string): boolean {
  const c = conditionsOf(pod).find((x) => x.type === 'PodScheduled');
  return c?.status === 'False' && c.reason === reason && c.message === message;
}
