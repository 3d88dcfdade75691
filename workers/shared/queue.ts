// A work queue keyed by object: each key at most once, due now or after a delay, retried with per-key backoff.
// k8s: staging/src/k8s.io/client-go/util/workqueue (queue.go, delaying_queue.go, rate_limiting_queue.go)
import { RateLimiter } from './rate-limiter';

/** One entry of the due-time heap; stale when the key is no longer queued for this time. */
interface Entry {
  at: number;
  seq: number;
  key: string;
}

const before = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class WorkQueue {
  /** key -> when it is due (ms since the epoch); a key added twice keeps the earlier time. */
  private readonly due = new Map<string, number>();
  /**
   * Every (time, key) ever queued and not yet taken, earliest first; an entry whose key was taken
   * or moved to an earlier time is skipped when it reaches the top. A pass so reads the due keys
   * and the next due time without walking every queued key: the node monitor's key per node (and,
   * before Events expired in storage, a key per Event) made that walk, twice per pass per
   * controller, grow with the cluster.
   */
  private readonly heap: Entry[] = [];
  private seq = 0;
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
    this.push({ at, seq: this.seq++, key });
    return true;
  }

  /** Takes up to `max` keys that are due, earliest first (in the order they were queued on a tie). */
  popDue(now: number, max = Infinity): string[] {
    const out: string[] = [];
    while (out.length < max) {
      const top = this.top();
      if (!top || top.at > now) break;
      this.pop();
      this.due.delete(top.key);
      out.push(top.key);
    }
    return out;
  }

  /** When the earliest key is due, or undefined when the queue is empty. */
  nextDue(): number | undefined {
    return this.top()?.at;
  }

  /** The earliest live entry, dropping stale ones on the way. */
  private top(): Entry | undefined {
    for (;;) {
      const e = this.heap[0];
      if (!e || this.due.get(e.key) === e.at) return e;
      this.pop();
    }
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  has(key: string): boolean {
    return this.due.has(key);
  }

  get size(): number {
    return this.due.size;
  }
}
