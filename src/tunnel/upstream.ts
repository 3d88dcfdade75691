// Frames bound for the agent, per session: sent within the credit the agent granted, the rest queued
// up to a hard cap. The DO cannot slow kubectl down (a Worker WebSocket has no read backpressure), so
// a session whose queue outgrows the cap, or that gets no credit for STALL_MS, is reset on its own
// instead of holding memory or blocking the agent's shared socket (Konnectivity's head-of-line bug).
import { FrameType, INITIAL_WINDOW, type Frame } from './frames';

export const MAX_BUFFERED = 8 * 1024 * 1024;
export const STALL_MS = 30_000;

export class Upstream {
  credit = INITIAL_WINDOW;
  queued = 0;
  /** When the queue last went from empty to waiting (0 while nothing waits). */
  waitingSince = 0;
  private queue: Frame[] = [];

  /** Adds a frame; answers the frames that may go to the agent now. */
  push(f: Frame, now: number): Frame[] {
    this.queue.push(f);
    if (f.type === FrameType.DATA) this.queued += f.payload.byteLength;
    return this.take(now);
  }

  grant(bytes: number, now: number): Frame[] {
    this.credit += bytes;
    return this.take(now);
  }

  get overflowing(): boolean {
    return this.queued > MAX_BUFFERED;
  }

  stalled(now: number): boolean {
    return this.waitingSince > 0 && now - this.waitingSince > STALL_MS;
  }

  private take(now: number): Frame[] {
    const out: Frame[] = [];
    while (this.queue.length) {
      const f = this.queue[0];
      if (f.type === FrameType.DATA) {
        const len = f.payload.byteLength;
        if (this.credit <= 0 && len > 0) break;
        if (len > this.credit) {
          out.push({ ...f, payload: f.payload.subarray(0, this.credit) });
          this.queue[0] = { ...f, payload: f.payload.subarray(this.credit) };
          this.queued -= this.credit;
          this.credit = 0;
          break;
        }
        this.credit -= len;
        this.queued -= len;
      }
      out.push(f);
      this.queue.shift();
    }
    if (this.queue.length === 0) this.waitingSince = 0;
    else if (this.waitingSince === 0 || out.length > 0) this.waitingSince = now;
    return out;
  }
}
