// What every benchmark layer measures, and the Node-side loops that drive a write or a watch cell.
import { performance } from 'node:perf_hooks';
import { summarize } from './stats';

export interface WriteCell {
  /** "1 shard", "4 partitions" or "etcd". */
  shards: string;
  writers: number;
  rate: number;
  p50: number;
  p99: number;
  failures: number;
}

export interface WatchCell {
  shards: string;
  watchers: number;
  /** Acknowledgement to receipt (0 when the event beat the acknowledgement). */
  p50: number;
  p99: number;
  /** Write sent to receipt: the write's own latency plus delivery. */
  sentP50: number;
  sentP99: number;
  events: number;
  missing: number;
}

export interface Layer {
  title: string;
  writes: WriteCell[];
  watches: WatchCell[];
  note?: string;
}

export const WRITERS = [1, 8, 64];
export const WATCHERS = [1, 100];
/** Watch cells write at a steady 100 writes/s, so that latency measures delivery, not a backlog. */
export const WATCH_WRITE_INTERVAL_MS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `writers` loops call `write` until `durationMs` has passed; `write` says whether it was acknowledged. */
export async function driveWrites(
  shards: string,
  writers: number,
  durationMs: number,
  write: (w: number, i: number) => Promise<boolean>,
): Promise<WriteCell> {
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const loop = async (w: number) => {
    for (let i = 0; performance.now() - start < durationMs; i++) {
      const t0 = performance.now();
      if (await write(w, i)) latencies.push(performance.now() - t0);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, w) => loop(w)));
  const s = summarize(latencies);
  return {
    shards,
    writers,
    rate: (s.count * 1000) / (performance.now() - start),
    p50: s.p50,
    p99: s.p99,
    failures,
  };
}

/**
 * Opens `watchers` watches (each reports the object names it receives), waits until every one has
 * seen a warm-up write, then one writer creates `writes` objects, one every 10 ms. Commit time is
 * the writer's acknowledgement; an event that beats the acknowledgement counts as 0 ms.
 */
export async function driveWatch(opts: {
  shards: string;
  watchers: number;
  writes: number;
  open: (onName: (name: string) => void) => Promise<{ close(): void }>;
  write: (name: string) => Promise<boolean>;
}): Promise<WatchCell> {
  const received = Array.from({ length: opts.watchers }, () => new Map<string, number>());
  const handles = await Promise.all(
    received.map((got) => opts.open((name) => got.has(name) || got.set(name, performance.now()))),
  );
  try {
    if (!(await opts.write('warm-up'))) throw new Error('warm-up write failed');
    await until(() => received.every((g) => g.has('warm-up')), 30_000);
    const acked = new Map<string, { sent: number; at: number }>();
    for (let i = 0; i < opts.writes; i++) {
      const sent = performance.now();
      if (await opts.write(`e${i}`)) acked.set(`e${i}`, { sent, at: performance.now() });
      await sleep(Math.max(0, WATCH_WRITE_INTERVAL_MS - (performance.now() - sent)));
    }
    await until(() => received.every((g) => g.size >= acked.size + 1), 30_000);
    const afterAck: number[] = [];
    const afterSend: number[] = [];
    let missing = 0;
    for (const got of received) {
      for (const [name, { sent, at }] of acked) {
        const t = got.get(name);
        if (t === undefined) {
          missing++;
          continue;
        }
        afterAck.push(Math.max(0, t - at));
        afterSend.push(t - sent);
      }
    }
    const a = summarize(afterAck);
    const s = summarize(afterSend);
    return {
      shards: opts.shards,
      watchers: opts.watchers,
      p50: a.p50,
      p99: a.p99,
      sentP50: s.p50,
      sentP99: s.p99,
      events: a.count,
      missing,
    };
  } finally {
    handles.forEach((h) => h.close());
  }
}

async function until(ok: () => boolean, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end && !ok();) await sleep(2);
}
