// `kill -TERM <npm>` on `npm run dev` must stop the whole cluster: npm and its `sh -c` exit without
// passing the signal on, so the CLI has to notice that its parent went away.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cleanupClusters, killGroup, processAlive, ROOT, tempDir } from '../helpers/cluster';

afterAll(cleanupClusters);

interface RunJson {
  pid: number;
  children: { pid: number; cmd: string }[];
}

function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

it('SIGTERM to the npm process of `npm run dev` stops edgeplane, workerd and the local agents', async () => {
  const state = path.join(tempDir(), 'state');
  // Its own process group, so a failing test can still SIGKILL everything it started.
  const npm = spawn(
    'npm',
    ['run', 'dev', '--', '--port', '0', '--agents', '1', '--runtime', 'fake', '--state', state],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const npmPid = npm.pid!;
  let out = '';
  npm.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  npm.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    expect(await waitFor(() => /edgeplane dev: ready at/.test(out), 120_000), out).toBe(true);
    const run = JSON.parse(fs.readFileSync(path.join(state, 'run.json'), 'utf8')) as RunJson;
    // The dev process, its parent (the bin launcher), workerd and the agent: all must go.
    const launcher = parentOf(run.pid);
    const watched = [launcher, run.pid, ...run.children.map((c) => c.pid)];
    expect(
      run.children.some((c) => c.cmd.includes('workerd')),
      JSON.stringify(run),
    ).toBe(true);
    expect(
      run.children.some((c) => / agent /.test(c.cmd)),
      JSON.stringify(run),
    ).toBe(true);
    expect(watched.every(processAlive)).toBe(true);

    process.kill(npmPid, 'SIGTERM');
    const gone = await waitFor(() => watched.every((p) => !processAlive(p)), 15_000);
    expect(gone, `still running: ${watched.filter(processAlive).join(', ')}\n${out}`).toBe(true);
  } finally {
    killGroup(npmPid, 'SIGKILL');
  }
}, 180_000);

it('SIGKILL to the bin launcher: edgeplane dev notices its parent is gone and stops its agents and workerd', async () => {
  const state = path.join(tempDir(), 'state');
  const launcher = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'edgeplane.cjs'),
      'dev',
      '--port',
      '0',
      '--agents',
      '1',
      '--runtime',
      'fake',
      '--state',
      state,
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const pgid = launcher.pid!;
  let out = '';
  launcher.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  launcher.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    expect(await waitFor(() => /edgeplane dev: ready at/.test(out), 120_000), out).toBe(true);
    const run = JSON.parse(fs.readFileSync(path.join(state, 'run.json'), 'utf8')) as RunJson;
    expect(parentOf(run.pid)).toBe(pgid);
    const watched = [run.pid, ...run.children.map((c) => c.pid)];
    expect(watched.every(processAlive)).toBe(true);
    // The launcher gets no chance to pass anything on.
    process.kill(pgid, 'SIGKILL');
    const gone = await waitFor(() => watched.every((p) => !processAlive(p)), 15_000);
    expect(gone, `still running: ${watched.filter(processAlive).join(', ')}\n${out}`).toBe(true);
  } finally {
    killGroup(pgid, 'SIGKILL');
  }
}, 180_000);
