// BoundedStream: a reader that stops reading is cut (queue dropped, clean end); a paced producer waits.
import { describe, expect, it } from 'vitest';
import { BoundedStream } from '../../src/watch/bounded-stream';

const bytes = (n: number) => new Uint8Array(n).fill(120);

async function readAll(s: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of s as unknown as AsyncIterable<Uint8Array>) n += c.byteLength;
  return n;
}

describe('BoundedStream', () => {
  it('cuts a reader that fell more than the limit behind, drops its queue, and ends the stream cleanly', async () => {
    let ended = 0;
    const budget = { queued: 0, peak: 0 };
    const s = new BoundedStream({ highWaterMark: 100, limit: 1000, budget, onEnd: () => ended++ });
    let offered = 0;
    while (s.offer(bytes(100))) offered++;
    expect(offered).toBe(11);
    expect(s.wasCut).toBe(true);
    expect(s.queued).toBe(0);
    expect(budget.queued).toBe(0);
    expect(budget.peak).toBe(1100);
    expect(ended).toBe(1);
    expect(await readAll(s.readable)).toBe(0);
  });

  it('delivers everything to a reader that keeps up, and close() ends after the queue drains', async () => {
    const s = new BoundedStream({ highWaterMark: 100, limit: 1000 });
    const reading = readAll(s.readable);
    for (let i = 0; i < 50; i++) {
      expect(s.offer(bytes(100))).toBe(true);
      await new Promise((r) => setTimeout(r, 0));
    }
    s.close();
    expect(await reading).toBe(5000);
    expect(s.wasCut).toBe(false);
  });

  it('lets a paced producer wait for the reader instead of queueing', async () => {
    const s = new BoundedStream({ highWaterMark: 100, limit: 1000 });
    const producing = (async () => {
      for (let i = 0; i < 100; i++) {
        if (!(await s.ready())) return;
        s.write(bytes(60));
      }
      s.close();
    })();
    await new Promise((r) => setTimeout(r, 20));
    // Nobody reads yet: the producer stopped at the high-water mark.
    expect(s.queued).toBeLessThan(160);
    expect(await readAll(s.readable)).toBe(6000);
    await producing;
    expect(s.peak).toBeLessThan(160);
  });

  it('ends, and tells the producer, when the reader cancels', async () => {
    let ended = false;
    const s = new BoundedStream({ highWaterMark: 100, limit: 1000, onEnd: () => (ended = true) });
    s.write(bytes(500));
    const waiting = s.ready();
    await s.readable.cancel();
    expect(ended).toBe(true);
    expect(await waiting).toBe(false);
    expect(s.offer(bytes(1))).toBe(false);
    expect(s.queued).toBe(0);
  });
});
