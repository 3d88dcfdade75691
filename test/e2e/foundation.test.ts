// End to end: the CLI as a newcomer runs it, the admin token, the partition guard, durability after SIGKILL, leftovers, wrangler bundling.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  groupMembers,
  killGroup,
  processAlive,
  restartCluster,
  ROOT,
  run,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';

// Removing the fresh clone (node_modules included) takes a while on a loaded machine.
afterAll(cleanupClusters, 180_000);

const LAUNCHER = path.join(ROOT, 'bin', 'edgeplane.cjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first directory holding a Node.js 20 binary: the system Node a newcomer has. */
function node20Dir(): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/bin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const bin = path.join(dir, 'node');
    if (!dir || dir.includes('node_modules') || !fs.existsSync(bin)) continue;
    try {
      if (execFileSync(bin, ['--version'], { encoding: 'utf8' }).startsWith('v20.')) return dir;
    } catch {
      // not runnable
    }
  }
  throw new Error(
    'no Node.js 20 found on PATH, /usr/local/bin, /usr/bin or /bin: these tests need the system Node 20 a newcomer has',
  );
}

/** A newcomer's environment: system Node 20 first, nothing of ours (npm's script variables, node_modules/.bin). */
function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && !['INIT_CWD', 'NODE_OPTIONS', 'NODE_PATH'].includes(k)) env[k] = v;
  }
  const rest = (process.env.PATH ?? '').split(':').filter((d) => d && !d.includes('node_modules'));
  env.PATH = [node20Dir(), ...rest].join(':');
  return env;
}

// The two launchers start their clusters side by side (each start keeps about one core busy).
describe.concurrent('a fresh clone, the way a newcomer starts', () => {
  let clone = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = newcomerEnv();
    clone = path.join(tempDir('edgeplane-clone-'), 'edgeplane');
    const cloned = await run('git', ['clone', '--quiet', ROOT, clone], { timeoutMs: 60_000 });
    expect(cloned.code, cloned.stderr).toBe(0);
    // One clone and one `npm ci` for the whole file: it takes about a minute with a warm npm cache.
    const ci = await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: clone,
      env,
      timeoutMs: 300_000,
    });
    expect(
      ci.code,
      `npm ci in a fresh clone failed:\n${ci.stderr
        .split('\n')
        .filter((l) => !l.includes('EBADENGINE') && !/^npm warn {3}|^npm warn }/.test(l))
        .join('\n')}`,
    ).toBe(0);
  }, 420_000);

  it('serves /healthz and /version (minor "32") over https from `npx --no-install edgeplane dev` with Node 20 first on PATH', async ({
    expect,
  }) => {
    const c = await startCluster({
      command: ['npx', '--no-install', 'edgeplane'],
      cwd: clone,
      env,
    });
    expect(c.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(c.output()).toContain(`export KUBECONFIG=${c.kubeconfig}`);
    const health = await c.fetch('/healthz', { token: null });
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    const version = (await (await c.fetch('/version', { token: null })).json()) as {
      major: string;
      minor: string;
    };
    expect(version).toMatchObject({ major: '1', minor: '32' });
    const kubectl = await c.kubectl(['version', '-o', 'json']);
    expect(kubectl.code, kubectl.stderr).toBe(0);
    expect(JSON.parse(kubectl.stdout).serverVersion).toMatchObject({ major: '1', minor: '32' });
    await c.stop();
  }, 180_000);

  it('serves /healthz from `npm run dev`', async ({ expect }) => {
    const c = await startCluster({
      command: ['npm', 'run', 'dev', '--'],
      subcommand: [],
      cwd: clone,
      env,
    });
    expect((await c.fetch('/healthz', { token: null })).status).toBe(200);
    await c.stop();
  }, 180_000);
});

describe('edgeplane dev', () => {
  // One cluster with 4 partitions serves the token, 401 and --partitions tests (the last stops it).
  // It starts beside the SIGTERM test's cluster.
  let shared: Promise<Cluster>;
  beforeAll(() => {
    shared = startCluster({ partitions: 4 });
    shared.catch(() => undefined);
  });

  it('stops everything it started when only the launcher gets SIGTERM', async () => {
    const c = await startCluster();
    const started = readRun(c.stateDir).children.map((x) => x.pid);
    expect(started.length).toBeGreaterThan(0);
    process.kill(c.pid, 'SIGTERM');
    const timer = sleep(15_000).then(() => 'still running');
    expect(await Promise.race([c.exited.then(() => 'exited'), timer])).toBe('exited');
    await until(() => groupMembers(c.pid).length === 0, 10_000);
    const survivors = groupMembers(c.pid).map((pid) => `${pid} ${cmdline(pid)}`);
    expect(survivors, 'processes still running after the launcher stopped').toEqual([]);
    expect(started.filter(processAlive)).toEqual([]);
  });

  it('generates a random admin token per state folder and keeps it across restarts', async () => {
    const [a, b] = await Promise.all([startCluster(), shared]);
    expect(a.token.length).toBeGreaterThanOrEqual(32);
    expect(b.token.length).toBeGreaterThanOrEqual(32);
    expect(a.token).not.toBe(b.token);
    expect(fs.readFileSync(a.kubeconfig, 'utf8')).toContain(`token: ${a.token}`);
    await a.stop();
    const again = await restartCluster(a.stateDir);
    expect(again.token).toBe(a.token);
    expect(fs.readFileSync(again.kubeconfig, 'utf8')).toContain(`token: ${a.token}`);
    await again.stop();
  }, 240_000);

  it('answers 401 to API requests without the admin token or with a wrong one', async () => {
    const c = await shared;
    expect((await c.fetch('/api/v1/namespaces', { token: null })).status).toBe(401);
    expect((await c.fetch('/api/v1/namespaces', { token: 'wrong' })).status).toBe(401);
    expect((await c.fetch('/api/v1/namespaces', { token: `${c.token}x` })).status).toBe(401);
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sneaky' },
      data: { a: 'b' },
    });
    expect(
      (
        await c.fetch('/api/v1/namespaces/default/configmaps', {
          method: 'POST',
          body,
          token: null,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await c.fetch('/api/v1/namespaces/default/configmaps', {
          method: 'POST',
          body,
          token: 'wrong',
        })
      ).status,
    ).toBe(401);
    expect((await c.fetch('/api/v1/namespaces/default/configmaps/sneaky')).status).toBe(404);
    expect((await c.fetch('/api/v1/namespaces')).status).toBe(200);
  });

  it('refuses to start with a different --partitions than the state folder was created with', async () => {
    const c = await shared;
    await c.stop();
    const res = await run(
      process.execPath,
      [LAUNCHER, 'dev', '--port', '0', '--state', c.stateDir, '--partitions', '2'],
      { timeoutMs: 60_000 },
    );
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--partitions 4');
    expect(res.stdout).not.toContain('ready at');
  });
});

// One at a time: the writers' two seconds must not compete with another cluster's start.
describe('durability', () => {
  it('keeps every acknowledged write after SIGKILL of the whole process group', async () => {
    const c = await startCluster();
    const acked = new Map<string, Record<string, string>>();
    let failure = '';
    let stopped = false;
    const writer = async (w: number) => {
      for (let i = 0; !stopped; i++) {
        const name = `cm-${w}-${i}`;
        const data = { writer: String(w), seq: String(i), payload: `${name}:`.padEnd(256, 'x') };
        const body = JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name },
          data,
        });
        try {
          const res = await c.fetch('/api/v1/namespaces/default/configmaps', {
            method: 'POST',
            body,
          });
          if (res.status === 201) acked.set(name, data);
          else failure ||= `POST answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
          if (res.status !== 201 && res.status !== 429) await sleep(50);
        } catch {
          return; // the cluster is gone: nothing after this was acknowledged
        }
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));
    // Two seconds of writes, longer on a loaded machine until one was acknowledged (up to 30 s).
    const writing = Date.now();
    await until(() => acked.size > 0 && Date.now() - writing >= 2_000, 30_000);
    await c.kill();
    stopped = true;
    await Promise.allSettled(writers);
    expect(acked.size, `no write was acknowledged; ${failure}`).toBeGreaterThan(0);

    const after = await restartCluster(c.stateDir);
    const missing: string[] = [];
    const names = [...acked.keys()];
    for (let i = 0; i < names.length; i += 16) {
      await Promise.all(
        names.slice(i, i + 16).map(async (name) => {
          const res = await after.fetch(`/api/v1/namespaces/default/configmaps/${name}`);
          const got =
            res.status === 200
              ? ((await res.json()) as { data?: Record<string, string> })
              : undefined;
          if (JSON.stringify(got?.data) !== JSON.stringify(acked.get(name)))
            missing.push(`${name} (${res.status})`);
        }),
      );
    }
    expect(missing, `${missing.length} of ${acked.size} acknowledged writes lost`).toEqual([]);
    await after.stop();
  }, 180_000);

  it('stops the workerd processes a killed run left behind when it starts again', async () => {
    const c = await startCluster();
    const rec = readRun(c.stateDir);
    const workerd = rec.children.filter((x) => x.cmd.includes('workerd')).map((x) => x.pid);
    expect(workerd.length).toBeGreaterThan(0);
    // The CLI dies (launcher and dev process) but not its group: workerd lives on as an orphan.
    process.kill(c.pid, 'SIGKILL');
    process.kill(rec.pid, 'SIGKILL');
    await c.exited;
    await sleep(200);
    expect(workerd.filter(processAlive)).toEqual(workerd);

    let again: Cluster | undefined;
    try {
      again = await restartCluster(c.stateDir);
      expect(workerd.filter(processAlive)).toEqual([]);
      expect((await again.fetch('/healthz')).status).toBe(200);
    } finally {
      killGroup(c.pid, 'SIGKILL');
      await again?.stop();
    }
  }, 180_000);
});

describe.concurrent('wrangler deploy --dry-run', () => {
  const configs = [
    path.join(ROOT, 'wrangler.toml'),
    ...fs
      .readdirSync(path.join(ROOT, 'workers'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(ROOT, 'workers', d.name, 'wrangler.toml')),
  ].filter((f) => fs.existsSync(f));

  it('finds the API Worker config at the top level', () => {
    expect(configs).toContain(path.join(ROOT, 'wrangler.toml'));
  });

  it.for(configs.map((f) => [path.relative(ROOT, f), f]))(
    'bundles %s without errors',
    async ([, config], { expect }) => {
      const bin = path.join(ROOT, 'node_modules', '.bin');
      const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        WRANGLER_SEND_METRICS: 'false',
      };
      const outdir = tempDir('edgeplane-wrangler-');
      const res = await run(
        path.join(bin, 'wrangler'),
        ['deploy', '--dry-run', '--outdir', outdir, '--config', config],
        { cwd: ROOT, env, timeoutMs: 120_000 },
      );
      expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
      expect(fs.readdirSync(outdir).some((f) => f.endsWith('.js'))).toBe(true);
    },
  );
});

async function until(ok: () => boolean, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end && !ok();) await sleep(50);
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

function readRun(stateDir: string): { pid: number; children: { pid: number; cmd: string }[] } {
  return JSON.parse(fs.readFileSync(path.join(stateDir, 'run.json'), 'utf8'));
}
