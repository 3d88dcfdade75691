// A work queue keyed by object: each key at most once, due now or after a delay, retried with per-key backoff.
// k8s: staging/src/k8s.io/client-go/util/workqueue (queue.go, delaying_queue.go, rate_limiting_queue.go)
import { RateLimiter } from './rate-limiter';

export class WorkQueue {
  /** key -> when it is due (ms since the epoch); a key added twice keeps the earlier time. */
  private readonly due = new Map<string, number>();
  readonly limiter: RateLimiter;

  constructor(limiter = new RateLimiter()) {
    this.limiter = limiter;
  }

  /** True when the key was not queued, or was queued for later. */
  add(key: string, now = Date.now()): boolean {
    return this.addAt(key, now);
  }

  /** k8s: AddAfter: time-based work (deadlines, grace periods, minReadySeconds). */
  addAfter(key: string, ms: number, now = Date.now()): void {
    this.addAt(key, now + Math.max(0, ms));
  }

  /** k8s: AddRateLimited: a failed key waits 5 ms, then twice as long after each further failure. */
  addRateLimited(key: string, now = Date.now()): void {
    this.addAt(key, now + this.limiter.when(key, now));
  }

  /** k8s: Forget: the key succeeded; its backoff starts over. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  private addAt(key: string, at: number): boolean {
    const cur = this.due.get(key);
    if (cur !== undefined && cur <= at) return false;
    this.due.set(key, at);
    return true;
  }

  /** Takes up to `max` keys that are due, earliest first. */
  popDue(now: number, max = Infinity): string[] {
    const ready: [string, number][] = [];
    for (const [key, at] of this.due) if (at <= now) ready.push([key, at]);
    ready.sort((a, b) => a[1] - b[1]);
    const out = ready.slice(0, max).map(([key]) => key);
    for (const key of out) this.due.delete(key);
    return out;
  }

  /** When the earliest key is due, or undefined when the queue is empty. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const at of this.due.values()) if (min === undefined || at < min) min = at;
    return min;
  }

  has(key: string): boolean {
    return this.due.has(key);
  }

  get size(): number {
    return this.due.size;
  }
}
