// The framework that owns the loop: caches feed per-controller work queues; a pass reconciles the due keys.
// k8s: sigs.k8s.io/controller-runtime pkg/internal/controller/controller.go (reconcileHandler)
import type { KObject } from '../../src/api/types';
import { resolveResource } from '../../src/client/paths';
import { isConflict } from '../../src/client/errors';
import { objectKey, type InformerEvent } from '../../src/client/informer';
import { BudgetExhausted } from './budget';
import type { ClusterCache } from './cache';
import { keyOf, type KeyedController } from './controller';
import { WorkQueue } from './queue';

export interface PassOutcome {
  /** Keys reconciled in this pass, per controller. */
  reconciled: Record<string, number>;
  /** Failures of this pass, per "controller key" (the last error each key had). */
  errors: Map<string, string>;
  /** Some key is due now (a controller stopped at its write budget, or a conflict requeued one). */
  more: boolean;
  /** Milliseconds until the earliest queued key is due; undefined when every queue is empty. */
  requeueAfterMs?: number;
}

/** A pass reconciles at most this many keys per controller; the rest wait for the next pass. */
export const MAX_KEYS_PER_PASS = 500;

export class ControllerManager<C> {
  readonly queues = new Map<string, WorkQueue>();
  private readonly ownerKinds = new Map<string, string>();

  constructor(
    readonly cache: ClusterCache,
    readonly controllers: KeyedController<C>[],
    private readonly now: () => number = Date.now,
  ) {
    for (const c of controllers) {
      this.queues.set(c.name, new WorkQueue());
      if (c.reconciles !== '*') this.ownerKinds.set(c.name, resolveResource(c.reconciles).kind);
      for (const r of new Set([
        ...c.reads,
        c.reconciles,
        ...(c.owns ?? []),
        ...(c.watches ?? []).map((w) => w.resource),
      ])) {
        if (r !== '*') cache.kind(r);
      }
      for (const ix of c.indexes ?? []) cache.kind(ix.resource).addIndex(ix.name, ix.fn);
    }
  }

  /** Routes one cache change to the queues: the object's own key, its controlling owner, mapped keys. True when a key was queued. */
  handle(resource: string, event: InformerEvent<KObject>): boolean {
    const now = this.now();
    let queued = false;
    for (const c of this.controllers) {
      c.observe?.(resource, event);
      const q = this.queues.get(c.name)!;
      const objs =
        event.oldObject && event.oldObject !== event.object
          ? [event.object, event.oldObject]
          : [event.object];
      if (resource === c.reconciles) queued = q.add(objectKey(event.object), now) || queued;
      if (c.owns?.includes(resource)) {
        const kind = this.ownerKinds.get(c.name);
        for (const o of objs) {
          const ref = o.metadata.ownerReferences?.find((r) => r.controller);
          if (ref && ref.kind === kind)
            queued = q.add(keyOf(o.metadata.namespace, ref.name), now) || queued;
        }
      }
      for (const w of c.watches ?? []) {
        if (w.resource !== resource && w.resource !== '*') continue;
        for (const o of objs)
          for (const k of w.map(o, this.cache, event, resource)) queued = q.add(k, now) || queued;
      }
    }
    return queued;
  }

  /** Every cached object's key, to every controller (cron's resync; a fresh leader's first pass). */
  resyncAll(): void {
    const now = this.now();
    for (const c of this.controllers) {
      const q = this.queues.get(c.name)!;
      if (c.resync) for (const k of c.resync(this.cache)) q.add(k, now);
      else if (c.reconciles === '*') q.add('*', now);
      else for (const o of this.cache.kind(c.reconciles).list()) q.add(objectKey(o), now);
    }
  }

  enqueue(controller: string, key: string, afterMs = 0): void {
    this.queues.get(controller)?.addAfter(key, afterMs, this.now());
  }

  /**
   * One pass: each controller reconciles its due keys in turn, with its own context (and write
   * budget). A result's requeueAfter queues the key again; a 409 or any error requeues it with
   * per-key backoff and is collected; a spent budget puts the key back and ends that controller's
   * turn. Work not done now is in the queues, never lost.
   */
  async runPass(contextFor: (c: KeyedController<C>) => C): Promise<PassOutcome> {
    await this.cache.synced();
    const outcome: PassOutcome = { reconciled: {}, errors: new Map(), more: false };
    for (const c of this.controllers) {
      const q = this.queues.get(c.name)!;
      const keys = q.popDue(this.now(), MAX_KEYS_PER_PASS);
      if (!keys.length) continue;
      const ctx = contextFor(c);
      let done = 0;
      for (const [i, key] of keys.entries()) {
        try {
          const r = await c.reconcile(ctx, key);
          q.forget(key);
          if (r && r.requeueAfterMs !== undefined) q.addAfter(key, r.requeueAfterMs, this.now());
          done++;
        } catch (e) {
          if (e instanceof BudgetExhausted) {
            for (const k of keys.slice(i)) q.add(k, this.now());
            break;
          }
          // k8s: a conflict means the cache was behind; the key goes back with the usual backoff.
          if (!isConflict(e))
            outcome.errors.set(`${c.name} ${key}`, e instanceof Error ? e.message : String(e));
          q.addRateLimited(key, this.now());
          done++;
        }
      }
      outcome.reconciled[c.name] = done;
    }
    const next = this.nextDue();
    if (next !== undefined) {
      const wait = next - this.now();
      if (wait <= 0) outcome.more = true;
      else outcome.requeueAfterMs = wait;
    }
    return outcome;
  }

  nextDue(): number | undefined {
    let min: number | undefined;
    for (const q of this.queues.values()) {
      const d = q.nextDue();
      if (d !== undefined && (min === undefined || d < min)) min = d;
    }
    return min;
  }

  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.size;
    return n;
  }
}
