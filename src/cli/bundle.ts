// Bundles a Worker entry into one ES module, as wrangler does, so Miniflare can run it directly.
import { build, type BuildOptions } from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Test-only: a folder where bundles are kept and reused while none of their input files changed
 * (the end-to-end tests start dozens of clusters from the same sources). Unset (the default), every
 * start bundles afresh.
 */
export const BUNDLE_CACHE_ENV = 'EDGEPLANE_BUNDLE_CACHE';

export async function bundleWorker(entry: string, outFile: string): Promise<string> {
  const options: BuildOptions = {
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
  };
  const cacheDir = process.env[BUNDLE_CACHE_ENV];
  if (!cacheDir) {
    await build(options);
    return outFile;
  }
  // The output depends on the options and, through the source map's relative paths, on where the
  // output sits relative to the sources; the key names both, the manifest the inputs' contents.
  const key = hash(
    JSON.stringify({ entry, options: { ...options, outfile: undefined } }),
    path.relative(path.dirname(outFile), ROOT),
  );
  const manifestFile = path.join(cacheDir, `${key}.json`);
  const cached = readManifest(manifestFile);
  if (cached && inputsHash(cached.inputs) === cached.hash) {
    try {
      fs.copyFileSync(path.join(cacheDir, cached.file), outFile);
      return outFile;
    } catch {
      // replaced by another run meanwhile: bundle afresh
    }
  }
  const result = await build({ ...options, metafile: true });
  // esbuild also reads the package manifests and tsconfig.json on the way: a change there counts too.
  const inputs = [
    path.join(ROOT, 'package.json'),
    path.join(ROOT, 'tsconfig.json'),
    ...Object.keys(result.metafile!.inputs)
      .filter((f) => !f.includes(':'))
      .map((f) => path.resolve(f)),
  ];
  const manifest = {
    inputs,
    hash: inputsHash(inputs),
    file: `${key}-${process.pid}-${Date.now()}.mjs`,
  };
  fs.mkdirSync(cacheDir, { recursive: true });
  // Written under a temporary name and renamed: concurrent starts never read half a file.
  const tmp = path.join(cacheDir, `${manifest.file}.tmp`);
  fs.copyFileSync(outFile, tmp);
  fs.renameSync(tmp, path.join(cacheDir, manifest.file));
  fs.writeFileSync(`${manifestFile}.${process.pid}.tmp`, JSON.stringify(manifest));
  fs.renameSync(`${manifestFile}.${process.pid}.tmp`, manifestFile);
  if (cached && cached.file !== manifest.file)
    fs.rmSync(path.join(cacheDir, cached.file), { force: true });
  return outFile;
}

const hash = (...parts: string[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 32);
};

function readManifest(file: string): { inputs: string[]; hash: string; file: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** One hash over every input file's path and contents; a missing file never matches. */
function inputsHash(inputs: string[]): string {
  const h = createHash('sha256');
  for (const f of inputs) {
    h.update(f).update('\0');
    try {
      h.update(fs.readFileSync(f));
    } catch {
      h.update(`missing ${Math.random()}`);
    }
    h.update('\0');
  }
  return h.digest('hex');
}
