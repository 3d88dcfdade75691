// Bundles a Worker entry into one ES module, as wrangler does, so Miniflare can run it directly.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function bundleWorker(entry: string, outFile: string): Promise<string> {
  await build({
    entryPoints: [path.join(ROOT, entry)],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    // drizzle-kit's migrations import .sql files: the same Text rule as wrangler.toml's.
    loader: { '.sql': 'text' },
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return outFile;
}
