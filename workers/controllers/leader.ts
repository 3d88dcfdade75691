// ControllerLeader: the one controller-manager instance (a Durable Object): its caches, its queues, its passes.
import type { WakeKey } from '../../src/api/wake';
import { loopClient } from '../shared/api-client';
import { ClusterCache } from '../shared/cache';
import { LoopLeader, type PassResult } from '../shared/leader';
import { ControllerManager } from '../shared/manager';
import { RateLimiter } from '../shared/rate-limiter';
import { DEFAULT_CONFIG, type ControllerConfig, type KeyedContext } from './framework';
import { keyedContext } from './context';
import { controllers } from './registry';
import type { ControllersEnv } from './env';

export function configFrom(env: ControllersEnv): ControllerConfig {
  const seconds = (v: string | undefined, d: number) =>
    v !== undefined && Number.isFinite(Number(v)) ? Number(v) : d;
  return {
    ...DEFAULT_CONFIG,
    nodeMonitorGracePeriodMs: seconds(env.NODE_MONITOR_GRACE_PERIOD, 50) * 1000,
    defaultTolerationSeconds: seconds(env.DEFAULT_TOLERATION_SECONDS, 300),
    hpaSyncPeriodMs: seconds(env.HPA_SYNC_PERIOD, 15) * 1000,
  };
}

/**
 * With nothing due for this long, the leader closes its watches and drops its caches: an open
 * watch keeps the Durable Object running (and billed), and an idle cluster should cost nothing.
 * The next wake, alarm (a key due later) or cron lists again and enqueues every object.
 */
export const IDLE_CLOSE_MS = 60_000;

export interface ControllerStats {
  requests: number;
  errors: number;
  passes: number;
  keys: number;
  /** Keys waiting in the queues, and when the earliest is due. */
  queued: number;
  caches: Record<string, { objects: number; relists: number; lastListMs: number }>;
  /** How long the last start of the caches took (list of every kind), ms. */
  lastStartMs: number;
  starts: number;
}

export class ControllerLeader extends LoopLeader<ControllersEnv> {
  private manager: ControllerManager<KeyedContext> | undefined;
  private readonly backoff = new RateLimiter();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  stats = { requests: 0, errors: 0, keys: 0, lastStartMs: 0, starts: 0 };

  private start(): ControllerManager<KeyedContext> {
    const reader = loopClient(this.env.API, {
      userAgent: 'edgeplane-controller-manager',
      onRequest: () => void this.stats.requests++,
    });
    let manager: ControllerManager<KeyedContext> | undefined;
    const cache = new ClusterCache(
      reader,
      (resource, event) => {
        if (manager && manager.handle(resource, event)) this.poke();
      },
      { onError: (e) => console.error('controllers cache', e) },
    );
    manager = new ControllerManager(cache, controllers());
    this.manager = manager;
    return manager;
  }

  protected override watching(): boolean {
    return this.manager !== undefined;
  }

  protected override onWake(_keys: WakeKey[]): void {
    // The caches' watches bring every change (and enqueue its keys); a wake only makes sure a pass
    // runs, and, after an eviction or an idle close, that the caches start again.
  }

  protected override async runPass(dirty: Set<string>): Promise<PassResult> {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    let m = this.manager;
    if (!m) {
      const t0 = Date.now();
      m = this.start();
      await m.cache.start();
      this.stats.lastStartMs = Date.now() - t0;
      this.stats.starts++;
      // A fresh cache knows nothing of what changed while it was away: every object once.
      m.resyncAll();
    } else if (dirty.has('*')) {
      m.resyncAll();
    }
    const config = configFrom(this.env);
    const onRequest = () => void this.stats.requests++;
    const cache = m.cache;
    const outcome = await m.runPass((c) =>
      keyedContext(this.env.API, c, { config, cache, backoff: this.backoff, onRequest }),
    );
    for (const n of Object.values(outcome.reconciled)) this.stats.keys += n;
    for (const [key, message] of outcome.errors) {
      this.stats.errors++;
      console.error(`controller ${key} failed: ${message}`);
    }
    if (this.idleSoon(m)) this.idleTimer = setTimeout(() => this.closeIfIdle(), IDLE_CLOSE_MS);
    return { more: outcome.more, requeueAfterMs: outcome.requeueAfterMs };
  }

  /** Nothing due within IDLE_CLOSE_MS (a key due later, such as a Job's deadline, keeps its alarm). */
  private idleSoon(m: ControllerManager<KeyedContext>): boolean {
    const next = m.nextDue();
    return next === undefined || next > Date.now() + IDLE_CLOSE_MS;
  }

  private closeIfIdle(): void {
    if (!this.manager || !this.idleSoon(this.manager)) return;
    this.manager.cache.stop();
    this.manager = undefined;
  }

  /** Drops this instance as workerd does when it evicts an idle object (tests and the benchmark). */
  evict(): void {
    this.ctx.abort('evicted on request');
  }

  getStats(): ControllerStats {
    return {
      requests: this.stats.requests,
      errors: this.stats.errors,
      passes: this.passes,
      keys: this.stats.keys,
      queued: this.manager?.pending() ?? 0,
      caches: this.manager?.cache.stats() ?? {},
      lastStartMs: this.stats.lastStartMs,
      starts: this.stats.starts,
    };
  }
}
