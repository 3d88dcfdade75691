// SchedulerLeader: the one scheduler instance (a Durable Object). It keeps watch-fed caches of pods and nodes in memory and drains its queue.
import { DurableObject } from 'cloudflare:workers';
import type { WakeKey } from '../../src/api/wake';
import { KubeClient } from '../../src/client/client';
import { Informer } from '../../src/client/informer';
import { batchSink } from './event-sink';
import { profileFor } from './profile';
import { VolumeInformers } from './plugins/volume-binding';
import { Scheduler, SCHEDULER_NAME } from './scheduler';
import type { SchedulerEnv } from './env';
import type { Node, Pod } from './types';

/** A request to the API (not a watch) that has not answered in this long is abandoned: a hung call must not stall the loop. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A pass that threw is retried after this long. */
const RETRY_MS = 1_000;

export interface LeaderStats {
  bound: number;
  failed: number;
  attempts: number;
  requests: number;
  passes: number;
  /** LIST requests: the initial lists and every relist (410, or a cache rebuilt after eviction). */
  lists: number;
  wakes: number;
  moved: number;
  active: number;
  backoff: number;
  unschedulable: number;
  cachedPods: number;
  startedAt: number;
  /** Wall time inside passes: filtering and scoring, bindings, PodScheduled writes, events. */
  scheduleMs: number;
  bindMs: number;
  statusMs: number;
  eventsMs: number;
}

const isWatch = (url: string) => /[?&]watch=(true|1)\b/.test(url);

export class SchedulerLeader extends DurableObject<SchedulerEnv> {
  private scheduler?: Scheduler;
  private informers: { stop(): void }[] = [];
  private synced = false;
  private draining = false;
  private again = false;
  private paused = false;
  private syncedPromise: Promise<void> = Promise.resolve();
  private timer?: ReturnType<typeof setTimeout>;
  private alarmAt: number | null | undefined;
  private readonly counters = { requests: 0, lists: 0, wakes: 0 };
  private readonly startedAt = Date.now();

  constructor(ctx: DurableObjectState, env: SchedulerEnv) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.paused = (await ctx.storage.get<boolean>('paused')) === true;
    });
  }

  /**
   * Called by the API Worker after pod and node writes, with the keys written (the old form sent
   * resource names). The watch already carries every change to the cache; a wake only makes sure
   * the leader is up: after an eviction it lists again and watches from there.
   */
  async wake(keys: WakeKey[] | string[] = []): Promise<void> {
    this.counters.wakes += keys.length || 1;
    this.start();
  }

  /** Cron: the safety net. Pods that waited in the pool for 5 minutes are tried again. */
  async resync(): Promise<void> {
    this.start();
    if (this.synced) this.scheduler!.resync();
    this.kick();
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.start();
    this.kick();
  }

  /**
   * For the benchmark's "drain a backlog" figure: a paused leader keeps its caches and queue
   * current from the watch but schedules nothing until it is resumed.
   */
  async setPaused(paused: boolean): Promise<void> {
    this.paused = paused;
    // Kept in storage: a leader that workerd restarts meanwhile must stay paused.
    if (paused) await this.ctx.storage.put('paused', true);
    else await this.ctx.storage.delete('paused');
    this.start();
    if (!paused) this.kick();
  }

  /**
   * Drops the caches and the queue and builds them again, as after an eviction; answers how long
   * the lists took and what they held. For the benchmark and tests (an eviction cannot be forced).
   */
  async rebuild(): Promise<{ ms: number; pods: number; nodes: number }> {
    for (const i of this.informers) i.stop();
    if (this.timer) clearTimeout(this.timer);
    this.informers = [];
    this.scheduler = undefined;
    this.synced = false;
    this.draining = false;
    const t0 = Date.now();
    this.start();
    await this.syncedPromise;
    return {
      ms: Date.now() - t0,
      pods:
        this.scheduler!.cache.podCount +
        this.scheduler!.queue.lengths.active +
        this.scheduler!.queue.lengths.backoff +
        this.scheduler!.queue.lengths.unschedulable,
      nodes: this.scheduler!.cache.nodeInfos().length,
    };
  }

  async nextAlarm(): Promise<number | null> {
    return this.ctx.storage.getAlarm();
  }

  getStats(): LeaderStats {
    const s = this.scheduler;
    const q = s?.queue.lengths ?? { active: 0, backoff: 0, unschedulable: 0 };
    return {
      bound: s?.stats.bound ?? 0,
      failed: s?.stats.failed ?? 0,
      attempts: s?.stats.attempts ?? 0,
      passes: s?.stats.passes ?? 0,
      moved: s?.stats.moved ?? 0,
      ...this.counters,
      ...q,
      cachedPods: s?.cache.podCount ?? 0,
      scheduleMs: Math.round(s?.stats.scheduleMs ?? 0),
      bindMs: Math.round(s?.stats.bindMs ?? 0),
      statusMs: Math.round(s?.stats.statusMs ?? 0),
      eventsMs: Math.round(s?.stats.eventsMs ?? 0),
      startedAt: this.startedAt,
    };
  }

  /** Builds the caches once per instance: list, then watch from there (the informers relist on 410 themselves). */
  private start(): void {
    if (this.scheduler) return;
    const client = new KubeClient({
      server: 'https://api.internal',
      userAgent: SCHEDULER_NAME,
      transport: (req) => {
        this.counters.requests++;
        if (isWatch(req.url)) return this.env.API.fetch(req);
        if (req.method === 'GET' && /\/(pods|nodes)$/.test(new URL(req.url).pathname))
          this.counters.lists++;
        return this.env.API.fetch(
          new Request(req, {
            signal: req.signal
              ? AbortSignal.any([req.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
              : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          }),
        );
      },
    });
    const onError = (what: string) => (err: unknown) =>
      console.error(`scheduler: ${what} informer: ${String(err)}`);
    const volumes = new VolumeInformers(client, onError);
    const scheduler = new Scheduler({
      client,
      events: batchSink(
        (events) => {
          this.counters.requests++;
          return this.env.API.createEvents(events);
        },
        SCHEDULER_NAME,
        () => Date.now(),
      ),
      profile: profileFor(this.env.SCHEDULER_STRATEGY, volumes),
      now: () => Date.now(),
      rng: Math.random,
    });
    this.scheduler = scheduler;
    const nodes = new Informer<Node>(client, 'nodes', {
      pageSize: 1000,
      onError: onError('nodes'),
    });
    const pods = new Informer<Pod>(client, 'pods', { pageSize: 1000, onError: onError('pods') });
    nodes.onEvent((e) => {
      scheduler.onNode(e);
      if (scheduler.hasWork()) this.kickSoon();
    });
    pods.onEvent((e) => {
      scheduler.onPod(e);
      if (scheduler.hasWork()) this.kickSoon();
    });
    for (const i of volumes.all())
      i.onEvent(() => {
        scheduler.onVolumeEvent();
        if (scheduler.hasWork()) this.kickSoon();
      });
    this.informers = [nodes, pods, ...volumes.all()];
    for (const i of volumes.all()) i.start();
    nodes.start();
    pods.start();
    this.syncedPromise = Promise.all([
      nodes.synced,
      pods.synced,
      ...volumes.all().map((i) => i.synced),
    ]).then(() => {
      if (this.scheduler !== scheduler) return;
      this.synced = true;
      this.kick();
    });
  }

  private kickPending = false;

  /** Many watch events arrive together: one kick for the lot. */
  private kickSoon(): void {
    if (this.kickPending) return;
    this.kickPending = true;
    setTimeout(() => {
      this.kickPending = false;
      this.kick();
    }, 0);
  }

  /** Runs passes until the queue has nothing ready; a kick during a pass runs another after it. */
  private kick(): void {
    if (!this.synced || this.paused) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    const s = this.scheduler!;
    let retry = false;
    try {
      do {
        this.again = false;
        await s.runPass();
        // Let the watch events that arrived during the pass in before the next one.
        await new Promise((r) => setTimeout(r, 0));
      } while (this.again || s.hasWork());
      await s.settle();
    } catch (e) {
      console.error(
        `scheduler: pass failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      retry = true;
    } finally {
      this.draining = false;
    }
    await this.arm(retry ? Date.now() + RETRY_MS : s.nextDeadline());
  }

  /**
   * The next look without an event: a timer in memory, and an alarm behind it in case workerd
   * evicts the idle leader meanwhile. The alarm is written only when none is set or the one set is
   * later than needed: an earlier alarm only runs a pass that finds nothing due and arms again, and
   * writing the alarm after every drain cost a storage write per unschedulable pod. Nothing pending
   * deletes the alarm, so an idle cluster costs nothing.
   */
  private async arm(at: number | undefined): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (at !== undefined) this.timer = setTimeout(() => this.kick(), Math.max(0, at - Date.now()));
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (at === undefined) {
      if (this.alarmAt !== null) await this.ctx.storage.deleteAlarm();
      this.alarmAt = null;
      return;
    }
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }
}
