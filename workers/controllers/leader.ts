// ControllerLeader: the one controller-manager instance (a Durable Object) running reconcile passes.
import { loopClient } from '../shared/api-client';
import { BudgetExhausted } from '../shared/budget';
import { LoopLeader, type PassResult } from '../shared/leader';
import { RateLimiter } from '../shared/rate-limiter';
import { DEFAULT_CONFIG, type Controller, type ControllerConfig } from './framework';
import { controllerContext } from './context';
import { createSnapshot } from './snapshot';
import { CONTROLLERS } from './registry';
import type { ControllersEnv } from './env';

export function configFrom(env: ControllersEnv): ControllerConfig {
  const seconds = (v: string | undefined, d: number) => (v !== undefined && Number.isFinite(Number(v)) ? Number(v) : d);
  return {
    ...DEFAULT_CONFIG,
    nodeMonitorGracePeriodMs: seconds(env.NODE_MONITOR_GRACE_PERIOD, 50) * 1000,
    defaultTolerationSeconds: seconds(env.DEFAULT_TOLERATION_SECONDS, 300),
    eventTtlMs: seconds(env.EVENT_TTL, 3600) * 1000,
  };
}

export class ControllerLeader extends LoopLeader<ControllersEnv> {
  /** When each controller asked to run again (time-based work). */
  private due = new Map<string, number>();
  private started = false;
  private readonly backoff = new RateLimiter();
  stats = { requests: 0, errors: 0 };

  protected override async runPass(dirty: Set<string>): Promise<PassResult> {
    const onRequest = () => void this.stats.requests++;
    const reader = loopClient(this.env.API, { userAgent: 'edgeplane-controller-manager', onRequest });
    const config = configFrom(this.env);
    const snapshot = createSnapshot(reader);
    const contextFor = (c: Controller) => controllerContext(this.env.API, c, { config, snapshot, backoff: this.backoff, onRequest });
    const now = Date.now();
    // A fresh instance knows nothing of what changed while it was away: run everything once.
    const all = !this.started || dirty.has('*');
    this.started = true;
    const result: PassResult = {};
    for (const c of CONTROLLERS) {
      if (!all && !wanted(c, dirty) && (this.due.get(c.name) ?? Infinity) > now) continue;
      this.due.delete(c.name);
      try {
        const r = await c.reconcile(contextFor(c));
        if (r.more) result.more = true;
        if (r.requeueAfterMs !== undefined) this.due.set(c.name, now + r.requeueAfterMs);
      } catch (e) {
        if (e instanceof BudgetExhausted) {
          result.more = true;
          continue;
        }
        // One failing controller must not starve the others; it runs again soon.
        this.stats.errors++;
        console.error(`controller ${c.name} failed`, e);
        this.due.set(c.name, now + 5000);
      }
    }
    if (this.due.size > 0) result.requeueAfterMs = Math.max(0, Math.min(...this.due.values()) - Date.now());
    return result;
  }

  getStats(): { requests: number; errors: number; passes: number; due: Record<string, number> } {
    return { ...this.stats, passes: this.passes, due: Object.fromEntries(this.due) };
  }
}

function wanted(c: Controller, dirty: Set<string>): boolean {
  return c.watches.some((w) => dirty.has(w));
}
