// Starts local `edgeplane dev` clusters for end-to-end tests and stops them by process group, never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_CACHE_ENV } from '../../src/cli/bundle';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Shared by every test run on this machine: entries are keyed by their inputs' contents. */
const BUNDLE_CACHE = path.join(os.tmpdir(), 'edgeplane-bundle-cache');

export interface ClusterOptions {
  partitions?: number;
  extraArgs?: string[];
  /** Reuse a state folder (a restart); default: a fresh temp folder. */
  stateDir?: string;
  /**
   * The command that starts the CLI, before `dev ...`. Default: the package's bin launcher run by
   * this Node (npm links no bin for the root package itself, so node_modules/.bin/edgeplane is absent).
   */
  command?: string[];
  /** What follows the command: default `dev` (an npm script that already says `dev` takes none). */
  subcommand?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Bearer token; default the admin token, null sends none. */
  token?: string | null;
}

export interface Cluster {
  url: string;
  port: number;
  token: string;
  kubeconfig: string;
  stateDir: string;
  /** PID of the launcher, which leads the cluster's process group. */
  pid: number;
  /** Everything the CLI printed so far (stdout and stderr). */
  output(): string;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  fetch(path: string, init?: FetchInit): Promise<Response>;
  /** An https agent trusting the cluster's CA, for callers that drive many requests themselves. */
  agent: https.Agent;
  /** SIGTERM to the process group, SIGKILL after 10 s; resolves with the launcher's exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL to the whole process group. */
  kill(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<Cluster>();
const tempDirs = new Set<string>();

export function tempDir(prefix = 'edgeplane-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Starts `edgeplane dev --port 0` on a temp (or given) state folder and waits for its ready line. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const stateDir = opts.stateDir ?? path.join(tempDir(), 'state');
  const command = opts.command ?? [process.execPath, path.join(ROOT, 'bin', 'edgeplane.cjs')];
  const args = [
    ...command.slice(1),
    ...(opts.subcommand ?? ['dev']),
    '--port',
    '0',
    '--state',
    stateDir,
  ];
  if (opts.partitions !== undefined) args.push('--partitions', String(opts.partitions));
  args.push(...(opts.extraArgs ?? []));
  // Tests ask for local nodes explicitly; a control plane alone starts faster and holds still.
  if ((opts.subcommand ?? ['dev'])[0] === 'dev' && !args.includes('--agents'))
    args.push('--agents', '0');
  const child = spawn(command[0], args, {
    cwd: opts.cwd ?? ROOT,
    // Clusters started from this checkout reuse the Worker bundles while their sources are unchanged
    // (src/cli/bundle.ts); a caller's own environment (a fresh clone's newcomer) bundles afresh.
    env: opts.env ?? { ...process.env, [BUNDLE_CACHE_ENV]: BUNDLE_CACHE },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const pgid = child.pid!;
  const ready = await waitForReady(child, () => out, exited, opts.readyTimeoutMs ?? 120_000).catch(
    async (err: Error) => {
      killGroup(pgid, 'SIGKILL');
      await waitGroupGone(pgid, 5_000);
      throw err;
    },
  );
  const url = ready;
  const port = Number(new URL(url).port);
  const token = fs.readFileSync(path.join(stateDir, 'admin-token'), 'utf8').trim();
  const kubeconfig = path.join(stateDir, 'kubeconfig');
  const ca = fs.readFileSync(path.join(stateDir, 'tls', 'server.crt'));
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 64 });
  const cacheDir = path.join(path.dirname(stateDir), `kube-cache-${port}`);

  const cluster: Cluster = {
    url,
    port,
    token,
    kubeconfig,
    stateDir,
    pid: pgid,
    agent,
    exited,
    output: () => out,
    kubectl: (kargs, o = {}) =>
      run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...kargs], {
        input: o.input,
        timeoutMs: o.timeoutMs ?? 60_000,
      }),
    fetch: (p, init = {}) =>
      request(url, agent, init.token === undefined ? token : init.token, p, init),
    stop: async () => {
      killGroup(pgid, 'SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
      if (
        (await Promise.race([exited, timer])) === 'timeout' ||
        !(await waitGroupGone(pgid, 10_000))
      ) {
        killGroup(pgid, 'SIGKILL');
      }
      const { code } = await exited;
      await waitGroupGone(pgid, 10_000);
      agent.destroy();
      live.delete(cluster);
      return code;
    },
    kill: async () => {
      killGroup(pgid, 'SIGKILL');
      await exited;
      await waitGroupGone(pgid, 10_000);
      agent.destroy();
      live.delete(cluster);
    },
  };
  live.add(cluster);
  return cluster;
}

/** Starts a cluster again on an existing state folder. */
export function restartCluster(
  stateDir: string,
  opts: Omit<ClusterOptions, 'stateDir'> = {},
): Promise<Cluster> {
  return startCluster({ ...opts, stateDir });
}

/** Stops every cluster this process started and removes the temp folders (for afterAll). */
export async function cleanupClusters(): Promise<void> {
  await Promise.allSettled([...live].map((c) => c.stop()));
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

// A test runner that dies mid-test must not leave clusters behind.
process.once('exit', () => {
  for (const c of live) killGroup(c.pid, 'SIGKILL');
});

/** Runs a command to completion, collecting its output; it never inherits our stdin. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          stderr += `\n[killed after ${opts.timeoutMs} ms]`;
          killGroup(child.pid!, 'SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

function waitForReady(
  child: ChildProcess,
  output: () => string,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = /edgeplane dev: ready at (https:\/\/127\.0\.0\.1:\d+)/.exec(output());
      if (m) {
        done();
        resolve(m[1]);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(`edgeplane dev was not ready after ${timeoutMs} ms; it printed:\n${output()}`),
      );
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      done();
      reject(
        new Error(
          `edgeplane dev exited (code ${code}, signal ${signal}) before it was ready; it printed:\n${output()}`,
        ),
      );
    });
    check();
  });
}

function request(
  base: string,
  agent: https.Agent,
  token: string | null,
  p: string,
  init: FetchInit,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (
      init.body !== undefined &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
    ) {
      headers['content-type'] = 'application/json';
    }
    const req = https.request(
      new URL(p, base),
      { method: init.method ?? 'GET', headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          const status = res.statusCode ?? 0;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers: h }));
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

/** Live (non-zombie) members of a process group, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/** True when `pid` runs and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (groupMembers(pgid).length === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return groupMembers(pgid).length === 0;
}
