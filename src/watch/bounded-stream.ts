// A byte stream whose queue to its reader is bounded: a reader that stops reading is cut, never buffered for.
// k8s: staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go (add: a watcher whose buffer
// stays full is stopped with forget(false), its pending events dropped; the client resumes from the
// last resourceVersion it received).

/** Bytes queued by every stream sharing a budget (one per watch hub), so many slow readers stay bounded too. */
export interface QueueBudget {
  queued: number;
  peak: number;
}

export interface BoundedStreamOptions {
  /** Below this many queued bytes the reader counts as keeping up; paced producers wait for it. */
  highWaterMark: number;
  /** offer() cuts the stream when more than this many bytes already wait unread. */
  limit: number;
  budget?: QueueBudget;
  /** The reader went away (or the stream was cut): the producer should stop. */
  onEnd?: () => void;
}

/** Chunks handed to the runtime per read: big enough to batch small events, small enough to stay bounded. */
const READ_BYTES = 64 * 1024;

/** Bytes queued by every bounded stream in this isolate: what tests read to check the bound holds. */
export const isolateQueue: QueueBudget = { queued: 0, peak: 0 };

export class BoundedStream {
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes waiting for the reader, and the most that ever waited. */
  queued = 0;
  peak = 0;
  /** True once cut, closed or cancelled: offers are refused. */
  ended = false;
  /** True when the stream was cut for falling behind. */
  wasCut = false;
  private queue: Uint8Array[] = [];
  private closing = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriters: (() => void)[] = [];

  constructor(private readonly opts: BoundedStreamOptions) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => this.pull(controller),
        cancel: () => this.finish(),
      },
      // No queue inside the stream itself: every byte waiting for the reader is counted here.
      { highWaterMark: 0 },
    );
  }

  /** Queues a chunk unless the reader is more than `limit` bytes behind; then cuts and returns false. */
  offer(chunk: Uint8Array): boolean {
    if (this.ended || this.closing) return false;
    if (this.queued > this.opts.limit) {
      this.cut();
      return false;
    }
    this.push(chunk);
    return true;
  }

  /** Queues a chunk whatever the backlog, for producers that pace themselves with ready(). */
  write(chunk: Uint8Array): boolean {
    if (this.ended || this.closing) return false;
    this.push(chunk);
    return true;
  }

  /** Resolves when the backlog is under the high-water mark: true, or false if the stream ended. */
  async ready(): Promise<boolean> {
    while (!this.ended && !this.closing && this.queued >= this.opts.highWaterMark) {
      await new Promise<void>((r) => this.wakeWriters.push(r));
    }
    return !this.ended && !this.closing;
  }

  /** Ends the stream after the reader has taken what is queued. */
  close(): void {
    if (this.ended || this.closing) return;
    this.closing = true;
    this.wake();
  }

  /** Ends the stream now, dropping what is queued: the reader sees a clean end and resumes from its last event. */
  cut(): void {
    if (this.ended) return;
    this.wasCut = true;
    this.drop();
    this.closing = true;
    this.finish();
    this.wake();
  }

  private push(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.account(chunk.byteLength);
    if (this.queued > this.peak) this.peak = this.queued;
    this.wake();
  }

  private account(delta: number): void {
    this.queued += delta;
    for (const b of this.opts.budget ? [this.opts.budget, isolateQueue] : [isolateQueue]) {
      b.queued += delta;
      if (b.queued > b.peak) b.peak = b.queued;
    }
  }

  private drop(): void {
    this.account(-this.queued);
    this.queue = [];
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    while (this.queue.length === 0) {
      if (this.closing || this.ended) {
        this.finish();
        try {
          controller.close();
        } catch {
          // the reader cancelled first
        }
        return;
      }
      await new Promise<void>((r) => (this.wakeReader = r));
    }
    let n = 0;
    let count = 0;
    while (
      count < this.queue.length &&
      (count === 0 || n + this.queue[count].byteLength <= READ_BYTES)
    ) {
      n += this.queue[count].byteLength;
      count++;
    }
    const parts = this.queue.splice(0, count);
    this.account(-n);
    if (parts.length === 1) controller.enqueue(parts[0]);
    else {
      const out = new Uint8Array(n);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.byteLength;
      }
      controller.enqueue(out);
    }
    if (this.queued < this.opts.highWaterMark) this.wakeWritersNow();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.drop();
    this.wakeWritersNow();
    // A pull still waiting for data ends too.
    const r = this.wakeReader;
    this.wakeReader = undefined;
    r?.();
    this.opts.onEnd?.();
  }

  private wake(): void {
    const r = this.wakeReader;
    this.wakeReader = undefined;
    r?.();
    if (this.ended || this.closing) this.wakeWritersNow();
  }

  private wakeWritersNow(): void {
    const ws = this.wakeWriters;
    this.wakeWriters = [];
    for (const w of ws) w();
  }
}
