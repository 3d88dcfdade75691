// Runs the control plane's Workers locally in one Miniflare (workerd) instance over https.
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorker } from './bundle';

export interface RuntimeOptions {
  host: string;
  port: number;
  stateDir: string;
  certPem: string;
  keyPem: string;
  /** Variables for the API Worker (strings, as Worker vars are). */
  vars: Record<string, string>;
  verbose?: boolean;
}

export interface Runtime {
  mf: Miniflare;
  url: URL;
  stop(): Promise<void>;
}

const COMPATIBILITY_DATE = '2026-11-01';

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const buildDir = path.join(opts.stateDir, 'build');
  fs.mkdirSync(buildDir, { recursive: true });
  const api = await bundleWorker('src/index.ts', path.join(buildDir, 'api.mjs'));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: opts.host,
      port: opts.port,
      httpsKey: opts.keyPem,
      httpsCert: opts.certPem,
      resourcePersistencePath: path.join(opts.stateDir, 'data'),
      verbose: opts.verbose ?? false,
      workers: [
        {
          name: 'api',
          modules: true,
          scriptPath: api,
          modulesRoot: buildDir,
          compatibilityDate: COMPATIBILITY_DATE,
          bindings: opts.vars,
          durableObjects: {
            SHARDS: { className: 'StorageShard', useSQLite: true },
            HUBS: { className: 'WatchHub', useSQLite: true },
          },
        },
      ],
    }),
  );
  const url = await mf.ready;
  return {
    mf,
    url,
    stop: () => mf.dispose(),
  };
}
