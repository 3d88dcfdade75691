// Per-container restart backoff: 10 s doubling to 5 min, forgotten after 10 min without a restart.
// k8s: staging/src/k8s.io/client-go/util/flowcontrol/backoff.go, used by
// pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff (initial 10 s, MaxContainerBackOff 300 s).
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  now?: () => number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class RestartBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
    this.now = opts.now ?? Date.now;
  }

  // An entry untouched for twice the cap (10 min) means the container ran cleanly that long.
  private expired(e: Entry, at: number): boolean {
    return at - e.lastUpdate > this.maxMs * 2;
  }

  /**
   * When a container that exited at `finishedAt` may start again; undefined when it may start now.
   * The first restart is immediate; each later one waits the current delay from the exit.
   */
  waitUntil(key: string, finishedAt: number): number | undefined {
    const e = this.entries.get(key);
    const at = this.now();
    if (!e || this.expired(e, at)) return undefined;
    const until = finishedAt + e.delayMs;
    return at < until ? until : undefined;
  }

  /** The delay the container waits (or waited) after this exit, for the CrashLoopBackOff message. */
  delayMs(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Records a restart: the first sets the initial delay, each later one doubles it up to the cap. */
  next(key: string): void {
    const at = this.now();
    const e = this.entries.get(key);
    if (!e || this.expired(e, at))
      this.entries.set(key, { delayMs: this.initialMs, lastUpdate: at });
    else this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), lastUpdate: at });
  }

  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
