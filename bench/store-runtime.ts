// Layer 1, storage only: the bench Worker drives the Store inside workerd (Miniflare, SQLite on disk).
import { startStoragePlane } from './storage-plane';
import {
  WATCH_WRITE_INTERVAL_MS,
  WATCHERS,
  WRITERS,
  type Layer,
  type WatchCell,
  type WriteCell,
} from './layer';
import type { Summary } from './stats';

const SHARDS = [
  { shards: '1 shard', resource: 'configmaps' },
  { shards: '4 partitions', resource: 'leases' },
];

export async function runtimeLayer(opts: {
  seconds: number;
  events: number;
  bytes: number;
}): Promise<Layer> {
  const plane = await startStoragePlane('bench/store-worker.js', '4');
  const call = plane.call.bind(plane);
  try {
    const writes: WriteCell[] = [];
    const watches: WatchCell[] = [];
    let cell = 0;
    for (const { shards, resource } of SHARDS) {
      // A short warm-up creates the shards and their SQLite files before anything is timed.
      await call('/write', {
        resource,
        namespace: `warm-${cell++}`,
        writers: 4,
        durationMs: 300,
        bytes: opts.bytes,
      });
      for (const writers of WRITERS) {
        const r = await call<Summary & { elapsedMs: number; failures: number }>('/write', {
          resource,
          namespace: `cell-${cell++}`,
          writers,
          durationMs: opts.seconds * 1000,
          bytes: opts.bytes,
        });
        writes.push({
          shards,
          writers,
          rate: (r.count * 1000) / r.elapsedMs,
          p50: r.p50,
          p99: r.p99,
          failures: r.failures,
        });
      }
      for (const watchers of WATCHERS) {
        const r = await call<Summary & { sentP50: number; sentP99: number; missing: number }>(
          '/watch',
          {
            resource,
            namespace: `watch-${cell++}`,
            watchers,
            writes: opts.events,
            bytes: opts.bytes,
            intervalMs: WATCH_WRITE_INTERVAL_MS,
          },
        );
        watches.push({
          shards,
          watchers,
          p50: r.p50,
          p99: r.p99,
          sentP50: r.sentP50,
          sentP99: r.sentP99,
          events: r.count,
          missing: r.missing,
        });
      }
    }
    return {
      title:
        'storage only, inside the runtime (Store -> StorageShard/WatchHub Durable Objects in workerd, SQLite on disk; ConfigMaps = 1 shard, Leases = 4 partitions)',
      writes,
      watches,
      note: 'times from Date.now() inside workerd, which advances across I/O only (ms resolution)',
    };
  } finally {
    await plane.dispose();
  }
}
