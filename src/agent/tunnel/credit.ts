// Agent → DO bytes of one session, sent only within the credit the DO granted; sources pause meanwhile.
import { frame, FrameType, MAX_DATA_FRAME, type Frame } from '../../tunnel/frames';
import { INITIAL_WINDOW } from '../../tunnel/frames';

export class CreditedSender {
  private credit = INITIAL_WINDOW;
  private queue: { chan: number; data: Buffer }[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    private readonly sid: number,
    private readonly send: (frames: Frame[]) => void,
  ) {}

  get idle(): boolean {
    return this.queue.length === 0;
  }

  /** Queues bytes; answers false when the caller should pause its source until whenIdle(). */
  push(chan: number, data: Buffer): boolean {
    this.queue.push({ chan, data });
    this.flush();
    return this.idle;
  }

  grant(bytes: number): void {
    this.credit += bytes;
    this.flush();
  }

  /** Resolves once everything queued went out. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private flush(): void {
    const out: Frame[] = [];
    while (this.queue.length && this.credit > 0) {
      const head = this.queue[0];
      const n = Math.min(head.data.length, this.credit, MAX_DATA_FRAME);
      out.push(frame(FrameType.DATA, this.sid, head.chan, head.data.subarray(0, n)));
      this.credit -= n;
      if (n === head.data.length) this.queue.shift();
      else head.data = head.data.subarray(n);
    }
    if (out.length) this.send(out);
    if (this.idle) for (const w of this.waiters.splice(0)) w();
  }
}
