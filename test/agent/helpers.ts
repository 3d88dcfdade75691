// Runs `edgeplane agent` as child processes for tests, stops them by PID, and reads the cluster through a typed client.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createApi, type AgentApi } from '../../src/agent/api';
import { slotAddress, slotPodCidr } from '../../src/agent/network';
import { processAlive, ROOT, startCluster, tempDir, type Cluster } from '../helpers/cluster';

export const NODE_BIN = path.join(ROOT, 'node_modules', '.bin', 'node');
const ENTRY = path.join(ROOT, 'test', 'agent', 'agent-main.ts');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A cluster for one test file, in a temp folder of its own. Other test runs share this machine and
 * its loopback range, so each file also takes its node slots at random (127.0.4.0 to 127.0.15.255,
 * pod ranges 127.20-31.x.0/24), away from the 127.0.0.x addresses local dev clusters use.
 */
export async function startTestCluster(): Promise<Cluster> {
  return startCluster({ stateDir: path.join(tempDir('edgeplane-agent-t-'), 'state') });
}

const taken = new Set<number>();

/** A free node slot (see src/agent/network.ts): its address and podCIDR; `count` consecutive slots. */
export function randomSlots(count = 1): { slot: number; address: string; podCidr: string }[] {
  for (;;) {
    const first = 1024 + Math.floor(Math.random() * (4096 - 1024 - count));
    const slots = Array.from({ length: count }, (_, i) => first + i);
    if (slots.some((s) => taken.has(s))) continue;
    for (const s of slots) taken.add(s);
    return slots.map((slot) => ({ slot, address: slotAddress(slot), podCidr: slotPodCidr(slot) }));
  }
}

export interface AgentProcess {
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 20 s; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL to the agent alone: its containers live in process groups of their own and keep running. */
  kill(): Promise<void>;
}

const live = new Set<AgentProcess>();
/** Every agent started in this test file, in order, for printing what they said when a test fails. */
export const startedAgents: AgentProcess[] = [];

export interface StartOptions {
  readyTimeoutMs?: number;
  /** Default the admin token; a join token; null passes none (a stored credential). */
  token?: string | null;
  /** Default true: pass the cluster's CA with --ca-file (a join pins the CA itself without it). */
  caFile?: boolean;
  /** Pass the token in EDGEPLANE_AGENT_TOKEN instead of --token (as edgeplane dev does). */
  tokenInEnv?: boolean;
}

/** Starts an agent against the cluster (admin token, the cluster's CA, unless told otherwise) and waits for its ready line. */
export async function startAgent(
  cluster: Cluster,
  args: string[],
  opts: StartOptions = {},
): Promise<AgentProcess> {
  const token = opts.token === undefined ? cluster.token : opts.token;
  const full = [
    '--import',
    TSX,
    ENTRY,
    '--server',
    cluster.url,
    ...(token === null || opts.tokenInEnv ? [] : ['--token', token]),
    ...(opts.caFile === false
      ? []
      : ['--ca-file', path.join(cluster.stateDir, 'tls', 'server.crt')]),
    ...args,
  ];
  // The agent's environment must not reach containers; a marker proves it in the process tests.
  const child = spawn(NODE_BIN, full, {
    cwd: ROOT,
    env: {
      ...process.env,
      EDGEPLANE_AGENT_SECRET_MARKER: 'agent-only',
      ...(opts.tokenInEnv && token ? { EDGEPLANE_AGENT_TOKEN: token } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid!;
  const agent: AgentProcess = {
    pid,
    output: () => out,
    exited,
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') process.kill(pid, 'SIGKILL');
      live.delete(agent);
      return (await exited).code;
    },
    kill: async () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
      live.delete(agent);
    },
  };
  live.add(agent);
  startedAgents.push(agent);
  const until = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  while (!/edgeplane agent: .* ready/.test(out)) {
    const done = await Promise.race([exited.then(() => true), sleep(100).then(() => false)]);
    if (done) throw new Error(`the agent exited before it was ready:\n${out}`);
    if (Date.now() > until) {
      await agent.kill();
      throw new Error(`the agent was not ready in time:\n${out}`);
    }
  }
  return agent;
}

/** Stops every agent a test file started (afterAll). */
export async function stopAgents(): Promise<void> {
  await Promise.allSettled([...live].map((a) => a.stop()));
}

process.once('exit', () => {
  for (const a of live) {
    try {
      process.kill(a.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * SIGKILLs the process groups of containers started from a state folder: those its records name
 * (when the PID is still that process), and any process whose HOME lies inside it, in case the
 * records are gone.
 */
export function killRecordedContainers(stateDir: string): number {
  const pods = path.join(stateDir, 'process', 'pods');
  let killed = 0;
  const prefix = `HOME=${path.resolve(stateDir)}/`;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (!environ.split('\0').some((v) => v.startsWith(prefix))) continue;
      process.kill(-Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // gone, not ours, or not a group leader
    }
  }
  if (!fs.existsSync(pods)) return killed;
  for (const uid of fs.readdirSync(pods)) {
    const dir = path.join(pods, uid, 'containers');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      try {
        const rec = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
          pid?: number;
          startTicks?: string;
          state: string;
        };
        if (rec.state !== 'running' || !rec.pid || !processAlive(rec.pid)) continue;
        const stat = fs.readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] !== rec.startTicks) continue;
        process.kill(-rec.pid, 'SIGKILL');
        killed++;
      } catch {
        // gone, or not ours
      }
    }
  }
  return killed;
}

/** A typed client as admin, for reading what kubectl shows in JSON. */
export function adminApi(cluster: Cluster): AgentApi {
  return createApi({
    server: cluster.url,
    token: cluster.token,
    caPem: fs.readFileSync(path.join(cluster.stateDir, 'tls', 'server.crt'), 'utf8'),
  });
}

/** Polls until `check` returns a value (not undefined/false), or throws with the last value seen. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await sleep(everyMs);
  }
}

export { processAlive };
