// `edgeplane agent` stops gracefully when the process that started it dies without signalling it
// (a SIGKILLed launcher or `edgeplane dev`, a shell that exits): it must not run on, orphaned.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupClusters, killGroup, processAlive, ROOT, type Cluster } from '../helpers/cluster';
import { NODE_BIN, randomSlots, sleep, startTestCluster } from './helpers';

let cluster: Cluster;
const [slot] = randomSlots(1);

beforeAll(async () => {
  cluster = await startTestCluster();
}, 180_000);
afterAll(cleanupClusters, 60_000);

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(e));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

it('an agent whose parent is SIGKILLed stops by itself', async () => {
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const entry = path.join(ROOT, 'test', 'agent', 'agent-main.ts');
  const args = [
    NODE_BIN,
    '--import',
    tsx,
    entry,
    '--server',
    cluster.url,
    '--token',
    cluster.token,
    '--ca-file',
    path.join(cluster.stateDir, 'tls', 'server.crt'),
    '--runtime',
    'fake',
    '--name',
    'orphan',
    '--address',
    slot.address,
    '--state',
    path.join(cluster.stateDir, '..', 'orphan'),
  ];
  // `; :` keeps sh from exec'ing the agent, so sh stays its parent.
  const sh = spawn('sh', ['-c', '"$0" "$@"; :', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const shPid = sh.pid!;
  let out = '';
  sh.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  sh.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    for (let i = 0; i < 600 && !/node orphan ready/.test(out); i++) await sleep(100);
    expect(out).toMatch(/node orphan ready/);
    const [agentPid] = childrenOf(shPid);
    expect(agentPid).toBeGreaterThan(0);
    process.kill(shPid, 'SIGKILL');
    for (let i = 0; i < 100 && processAlive(agentPid); i++) await sleep(100);
    expect(processAlive(agentPid), out).toBe(false);
    expect(out).toMatch(/parent process \d+ exited, stopping/);
  } finally {
    killGroup(shPid, 'SIGKILL');
  }
}, 120_000);
