// Per-key retry delays that grow with each failure and reset on success (client-go's workqueue rate limiter).
// k8s: staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go ItemExponentialFailureRateLimiter

/** k8s: DefaultControllerRateLimiter's per-item part: 5 ms doubling to 1000 s. */
export const BASE_DELAY_MS = 5;
export const MAX_DELAY_MS = 1_000_000;

export class RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();

  constructor(
    private readonly baseMs = BASE_DELAY_MS,
    private readonly maxMs = MAX_DELAY_MS,
  ) {}

  /** Records one more failure of `key` and answers how long to wait before trying it again. */
  when(key: string, now = Date.now()): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n, 40));
    this.notBefore.set(key, now + delay);
    return delay;
  }

  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
    this.notBefore.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Milliseconds until `key` may be tried again (0 when it may now). */
  waitFor(key: string, now = Date.now()): number {
    return Math.max(0, (this.notBefore.get(key) ?? 0) - now);
  }
}
