// A storage-only plane for benchmarks: one bench Worker (bundled from `worker`) with StorageShard and
// WatchHub Durable Objects in Miniflare, SQLite on disk in a temporary folder.
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorker } from '../src/cli/bundle';

export interface StoragePlane {
  /** POSTs `body` as JSON to the bench Worker's `route` and parses the JSON answer (non-200 throws). */
  call<T>(route: string, body: object): Promise<T>;
  dispose(): Promise<void>;
}

export async function startStoragePlane(worker: string, partitions: string): Promise<StoragePlane> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-'));
  const script = await bundleWorker(worker, path.join(dir, 'bench.mjs'));
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
          bindings: {
            PARTITIONS: partitions,
            HISTORY_REVISIONS: '10000',
            WATCH_PROGRESS_MS: '1000',
          },
          durableObjects: {
            SHARDS: { className: 'StorageShard', useSQLite: true },
            HUBS: { className: 'WatchHub', useSQLite: true },
          },
        },
      ],
    }),
  );
  const dispose = async () => {
    await mf.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await mf.ready;
  } catch (e) {
    await dispose();
    throw e;
  }
  return {
    async call<T>(route: string, body: object): Promise<T> {
      const res = await mf.dispatchFetch(`http://bench${route}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 200)
        throw new Error(`bench Worker ${route} answered ${res.status}: ${text}`);
      return JSON.parse(text) as T;
    },
    dispose,
  };
}
