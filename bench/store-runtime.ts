// Layer 1, storage only: the bench Worker drives the Store inside workerd (Miniflare, SQLite on disk).
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorker } from '../src/cli/bundle';
import { WATCH_WRITE_INTERVAL_MS, WATCHERS, WRITERS, type Layer, type WatchCell, type WriteCell } from './layer';
import type { Summary } from './stats';

const SHARDS = [
  { shards: '1 shard', resource: 'configmaps' },
  { shards: '4 partitions', resource: 'leases' },
];

export async function runtimeLayer(opts: { seconds: number; events: number; bytes: number }): Promise<Layer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-'));
  const script = await bundleWorker('bench/store-worker.js', path.join(dir, 'bench.mjs'));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      resourcePersistencePath: path.join(dir, 'data'),
      workers: [
        {
          name: 'bench',
          modules: true,
          scriptPath: script,
          modulesRoot: dir,
          compatibilityDate: '2026-11-01',
          bindings: { PARTITIONS: '4', HISTORY_REVISIONS: '10000', WATCH_PROGRESS_MS: '1000' },
          durableObjects: {
            SHARDS: { className: 'StorageShard', useSQLite: true },
            HUBS: { className: 'WatchHub', useSQLite: true },
          },
        },
      ],
    }),
  );
  const call = async <T>(route: string, body: object): Promise<T> => {
    const res = await mf.dispatchFetch(`http://bench${route}`, { method: 'POST', body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`bench Worker ${route} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  try {
    await mf.ready;
    const writes: WriteCell[] = [];
    const watches: WatchCell[] = [];
    let cell = 0;
    for (const { shards, resource } of SHARDS) {
      // A short warm-up creates the shards and their SQLite files before anything is timed.
      await call('/write', { resource, namespace: `warm-${cell++}`, writers: 4, durationMs: 300, bytes: opts.bytes });
      for (const writers of WRITERS) {
        const r = await call<Summary & { elapsedMs: number; failures: number }>('/write', {
          resource,
          namespace: `cell-${cell++}`,
          writers,
          durationMs: opts.seconds * 1000,
          bytes: opts.bytes,
        });
        writes.push({ shards, writers, rate: (r.count * 1000) / r.elapsedMs, p50: r.p50, p99: r.p99, failures: r.failures });
      }
      for (const watchers of WATCHERS) {
        const r = await call<Summary & { sentP50: number; sentP99: number; missing: number }>('/watch', {
          resource,
          namespace: `watch-${cell++}`,
          watchers,
          writes: opts.events,
          bytes: opts.bytes,
          intervalMs: WATCH_WRITE_INTERVAL_MS,
        });
        watches.push({ shards, watchers, p50: r.p50, p99: r.p99, sentP50: r.sentP50, sentP99: r.sentP99, events: r.count, missing: r.missing });
      }
    }
    return {
      title: 'storage only, inside the runtime (Store -> StorageShard/WatchHub Durable Objects in workerd, SQLite on disk; ConfigMaps = 1 shard, Leases = 4 partitions)',
      writes,
      watches,
      note: 'times from Date.now() inside workerd, which advances across I/O only (ms resolution)',
    };
  } finally {
    await mf.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
