// LoopLeader: a Durable Object that runs one control loop at a time, woken by writes, alarms and cron.
import { DurableObject } from 'cloudflare:workers';
import type { WakeKey } from '../../src/api/wake';

/** A pass run from memory that failed is retried by an alarm this much later. */
const RETRY_MS = 1000;

export interface PassResult {
  /** Run again at once: the pass stopped at its batch bound. */
  more?: boolean;
  /** Run again after this many milliseconds (deadlines, backoff); undefined means converged. */
  requeueAfterMs?: number;
}

/**
 * The Durable Object is the leader: one instance per loop, so one pass at a time. A wake-up sets an
 * alarm (debounced to the earliest), the alarm runs a bounded pass, and the pass says when (if ever)
 * to run again. Alarms fire at least once and retry on failure, so a pass must be idempotent.
 * When a pass converges and nothing woke the loop meanwhile, no alarm is left: idle costs nothing.
 */
export abstract class LoopLeader<E> extends DurableObject<E> {
  private running = false;
  private wokenDuringPass = false;
  protected dirty = new Set<string>();
  /** Passes run since this instance started (for tests and metrics). */
  passes = 0;

  protected abstract runPass(
    dirty: Set<string>,
    reason: 'wake' | 'cron' | 'requeue',
  ): Promise<PassResult>;

  /** When the alarm is set for, as far as this instance knows (undefined: ask storage). */
  private alarmAt: number | null | undefined;

  /**
   * Marks objects (WakeKey) or whole resources (a string) changed and makes sure a pass runs soon.
   * Cheap when a pass is already due: no storage call, so a burst of writes costs a burst of
   * in-memory updates.
   */
  async wake(changes: (string | WakeKey)[] = [], delayMs = 0): Promise<void> {
    const keys: WakeKey[] = [];
    for (const c of changes) {
      if (typeof c === 'string') this.dirty.add(c);
      else {
        this.dirty.add(c.resource);
        keys.push(c);
      }
    }
    if (keys.length) this.onWake(keys);
    // The leader's own watches bring these objects' changes, and each change pokes a pass: the
    // wake has nothing to add (arming the alarm here only ran an extra pass per wake batch).
    if (keys.length === changes.length && keys.length > 0 && this.watching()) return;
    if (this.running) {
      this.wokenDuringPass = true;
      return;
    }
    await this.alarmBy(Date.now() + delayMs);
  }

  private kickTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Something is due now (a watch event queued a key): make sure a pass runs soon. Synchronous and
   * cheap, so a cache can call it for every event it delivers. The pass runs from a timer in memory,
   * not from a storage alarm: the watches that poke are in-flight requests, so the object is alive
   * to run it, and an alarm per change cost a storage write and an alarm dispatch per pod (the
   * controllers' share of a pod create fell from about 5.6 to about N ms of workerd CPU). A pass
   * that fails still leaves an alarm behind to retry it.
   */
  protected poke(): void {
    if (this.running) {
      this.wokenDuringPass = true;
      return;
    }
    if (this.kickTimer !== undefined) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      this.runNow().catch((e: unknown) => console.error('a pass failed', e));
    }, 0);
  }

  /**
   * True while the leader's caches are fed by open watches that poke a pass for every change that
   * matters. A wake that only names objects is then a no-op; it still (re)starts a leader whose
   * caches are down (after an eviction or an idle close).
   */
  protected watching(): boolean {
    return false;
  }

  /** Keyed loops take the objects a wake names (the controllers enqueue them). */
  protected onWake(_keys: WakeKey[]): void {}

  /** Makes sure the alarm fires no later than `at`. */
  protected async alarmBy(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** Cron: the periodic resync and safety net. Everything counts as changed. */
  async resync(): Promise<void> {
    this.dirty.add('*');
    await this.wake();
  }

  /** When the next pass is due, or null when the loop is idle. */
  async nextAlarm(): Promise<number | null> {
    return this.ctx.storage.getAlarm();
  }

  override async alarm(): Promise<void> {
    // The runtime cleared the alarm that fired; anything set during the pass is known again.
    this.alarmAt = null;
    // A failure throws: the runtime retries failed alarms with backoff.
    await this.pass(true);
  }

  /** A pass poked from memory; its failure is retried by an alarm a second later. */
  private async runNow(): Promise<void> {
    try {
      await this.pass(false);
    } catch (e) {
      await this.alarmBy(Date.now() + RETRY_MS);
      throw e;
    }
  }

  private async pass(fromAlarm: boolean): Promise<void> {
    if (this.running) {
      this.wokenDuringPass = true;
      return;
    }
    this.running = true;
    this.wokenDuringPass = false;
    const dirty = this.dirty;
    this.dirty = new Set();
    let result: PassResult;
    try {
      result = await this.runPass(
        dirty,
        dirty.size > 0 ? (dirty.has('*') ? 'cron' : 'wake') : 'requeue',
      );
      this.passes++;
    } catch (e) {
      // Keep what was dirty for the retry.
      for (const r of dirty) this.dirty.add(r);
      this.running = false;
      throw e;
    }
    this.running = false;
    if (result.more || this.wokenDuringPass) {
      // More is ready now: while the watches poke, from memory; otherwise (an alarm's pass of a
      // leader without open watches) through the alarm, which survives an eviction.
      if (this.watching() || !fromAlarm) this.poke();
      else await this.alarmBy(Date.now());
    } else if (result.requeueAfterMs !== undefined) {
      await this.alarmBy(Date.now() + Math.max(0, result.requeueAfterMs));
    }
  }
}
