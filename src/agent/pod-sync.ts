// A node's pod workers: one serialized, level-based sync per pod, driven by the watch, the runtime and timers.
// k8s: pkg/kubelet/pod_workers.go (one goroutine per pod, coalesced updates), pkg/kubelet/kubelet.go
// syncLoop (periodic resync) and HandlePodCleanups (containers no pod claims).
import type { InformerEvent } from '../client/informer';
import { RestartBackoff } from './backoff';
import { LogShipper } from './log-shipper';
import type { Limiter } from './limiter';
import type { PodAddresses } from './network';
import type { PodEviction } from './eviction/manager';
import type { PodFeed } from './feed';
import { PodWorker, type WorkerDeps } from './pod-worker';
import type { Pod } from './types';

export interface PodSyncOptions extends Omit<WorkerDeps, 'requestSync' | 'backoff'> {
  feed: PodFeed;
  limiter: Limiter;
  addresses: PodAddresses;
  /** Every pod is synced at least this often (probes and exits sync it sooner). */
  resyncMs?: number;
  /** Per-event and per-sync tracing (--verbose). */
  debug?: (message: string) => void;
  /** Where the log shipper keeps its offsets; undefined ships nothing (simulated nodes). */
  logOffsetsFile?: string;
}

// k8s: a container no pod claims is stopped with the minimum grace.
const ORPHAN_GRACE_SECONDS = 2;

export class PodSync {
  private readonly workers = new Map<string, PodWorker>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly backoff = new RestartBackoff();
  private ready = false;
  private stopped = false;
  private unsubscribe?: () => void;
  private resync?: NodeJS.Timeout;
  private readonly logs?: LogShipper;

  constructor(private readonly opts: PodSyncOptions) {
    if (opts.logOffsetsFile) {
      this.logs = new LogShipper({
        client: opts.client,
        runtime: opts.runtime,
        podFor: (uid) => this.workers.get(uid)?.pod,
        offsetsFile: opts.logOffsetsFile,
        log: opts.log,
      });
    }
  }

  /** Resolves once the first list is in and the first syncs were queued. */
  async start(): Promise<void> {
    const { feed, runtime } = this.opts;
    runtime.onChange((uid) => this.enqueue(uid));
    this.unsubscribe = feed.subscribe(this.opts.nodeName, (event) => this.onEvent(event));
    await feed.synced;
    if (this.stopped) return;
    // Addresses pods already hold (an agent restart) are kept before any new pod gets one.
    for (const w of this.workers.values()) this.opts.addresses.reserve(w.uid, w.pod.status?.podIP);
    this.ready = true;
    this.logs?.start();
    for (const uid of this.workers.keys()) this.enqueue(uid);
    this.collectOrphans();
    const every = this.opts.resyncMs ?? 60_000;
    this.resync = setInterval(() => {
      for (const uid of this.workers.keys()) this.enqueue(uid);
      this.collectOrphans();
    }, every);
  }

  /** Pods this node is running or finishing, by uid. */
  get podCount(): number {
    return this.workers.size;
  }

  /** Pods not finished: what the node's metrics report covers (their running containers). */
  runningPods(): Pod[] {
    return [...this.workers.values()]
      .map((w) => w.pod)
      .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  /** Pods the eviction manager may choose from: running, and not already being evicted. */
  evictablePods(): Pod[] {
    return [...this.workers.values()]
      .filter((w) => !w.evicting && w.pod.status?.phase === 'Running')
      .map((w) => w.pod);
  }

  /** An eviction was asked for and the pod has not yet been reported Failed. */
  evictionPending(): boolean {
    return [...this.workers.values()].some(
      (w) => w.evicting && w.pod.status?.phase !== 'Failed' && !w.finished,
    );
  }

  /** Kills the pod and fails it as the eviction says (k8s TerminatePodAbnormally); false if it cannot be. */
  evict(uid: string, eviction: PodEviction): boolean {
    const w = this.workers.get(uid);
    if (!w?.evict(eviction)) return false;
    this.enqueue(uid);
    return true;
  }

  private onEvent(event: InformerEvent<Pod>): void {
    const pod = event.object;
    const uid = pod.metadata.uid!;
    this.opts.debug?.(
      `${event.type} pod ${pod.metadata.namespace}/${pod.metadata.name} rv ${pod.metadata.resourceVersion}`,
    );
    if (event.type === 'DELETED') {
      this.workers.get(uid)?.markGone(pod);
      this.enqueue(uid);
      return;
    }
    const oldUid = event.oldObject?.metadata.uid;
    if (oldUid && oldUid !== uid) {
      this.workers.get(oldUid)?.markGone(event.oldObject!);
      this.enqueue(oldUid);
    }
    const w = this.workers.get(uid);
    if (w) w.update(pod);
    else
      this.workers.set(
        uid,
        new PodWorker(pod, {
          ...this.opts,
          backoff: this.backoff,
          logs: this.logs,
          requestSync: (u, ms) => this.enqueue(u, ms),
        }),
      );
    this.enqueue(uid);
  }

  private enqueue(uid: string, afterMs = 0): void {
    if (!this.ready || this.stopped) return;
    if (afterMs > 0) {
      const at = Date.now() + afterMs;
      const t = this.timers.get(uid);
      if (t && t.at <= at) return;
      if (t) clearTimeout(t.timer);
      this.timers.set(uid, {
        at,
        timer: setTimeout(() => (this.timers.delete(uid), this.enqueue(uid)), afterMs),
      });
      return;
    }
    if (this.running.has(uid)) {
      this.dirty.add(uid);
      return;
    }
    const w = this.workers.get(uid);
    if (!w) return;
    const queued = Date.now();
    const run = this.opts.limiter
      .run(async () => {
        const started = Date.now();
        await w.sync();
        this.opts.debug?.(
          `synced pod ${w.pod.metadata.namespace}/${w.pod.metadata.name}: waited ${started - queued} ms, took ${Date.now() - started} ms`,
        );
      })
      .catch((err: unknown) => {
        this.opts.log(
          `sync of pod ${w.pod.metadata.namespace}/${w.pod.metadata.name}: ${err instanceof Error ? err.message : String(err)}`,
        );
        // A failed sync (the API unreachable, a conflict) is retried, not dropped.
        this.enqueue(uid, 2_000);
      })
      .finally(() => {
        this.running.delete(uid);
        if (w.finished && this.workers.get(uid) === w) this.workers.delete(uid);
        if (this.dirty.delete(uid)) this.enqueue(uid);
      });
    this.running.set(uid, run);
  }

  /** Containers whose pod the API no longer has for this node (deleted while the agent was down). */
  private collectOrphans(): void {
    const rt = this.opts.runtime;
    for (const uid of rt.pods()) {
      if (this.workers.has(uid) || this.running.has(uid)) continue;
      const cleanup = (async () => {
        const live = rt.containers(uid).filter((i) => i.state === 'running');
        await Promise.all(live.map((i) => rt.stop(uid, i.id, ORPHAN_GRACE_SECONDS)));
        await rt.remove(uid);
        this.opts.addresses.release(uid);
      })()
        .catch((err: unknown) =>
          this.opts.log(
            `cleanup of orphaned pod ${uid}: ${err instanceof Error ? err.message : String(err)}`,
          ),
        )
        .finally(() => this.running.delete(uid));
      this.running.set(uid, cleanup);
    }
  }

  /** Stops syncing; running syncs finish first. The containers themselves are the runtime's to keep or stop. */
  /** A `logs -f` reader appeared for this pod (through the node tunnel): its output ships at once. */
  followLogs(uid: string): void {
    this.logs?.follow(uid);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.resync);
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
    await this.logs?.stop();
    for (const w of this.workers.values()) w.dispose();
  }
}
