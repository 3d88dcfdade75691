// `npm run bench -- control`: the scheduler and controllers on simulated nodes: rollout latency, scheduler
// throughput, API requests per scheduled pod, and the control plane's CPU while leases renew.
//
// The control plane runs in this process exactly as `edgeplane dev` runs it (startRuntime: the three
// Workers in one Miniflare), so the scheduler's own counters (Runtime.loopStatus) are readable here.
// Simulated nodes are `edgeplane agent --runtime fake` child processes (250 nodes each). CPU is the
// workerd processes' utime+stime from /proc/<pid>/stat; the agents' and this process's CPU are not counted.
//
// Flags: --small-nodes 100 --replicas 1,100,1000 (a); --large-nodes 1000 --pods 3000 --parallel 32
// --create-seconds 300 (b, c: pod creation stops at that limit so a run stays under ~8 minutes; on a
// 2-core machine the API creates pods ever more slowly as they accumulate); --cpu-seconds 30 (d);
// --drain-pods 3000 (c': created while the scheduler is paused, then drained; 0 skips it);
// --lease-nodes 5000 --lease-minutes 10 --lease-nodes-per-agent 1000 (e: false NotReady and CPU; 0 skips it;
// bench/lease-fleet.ts; `--only lease` runs it alone).
// Pods are created through the API (POST), not kubectl, so kubectl's start-up is not in the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { MAX_LOCAL_SLOTS, slotAddress } from '../src/agent/network';
import { descendants } from '../src/cli/processes';
import { startRuntime, type Runtime } from '../src/cli/runtime';
import { StateDir } from '../src/cli/state';
import { send, type Target } from './http';
import { ms, table } from './table';
import {
  controllersSection,
  controllersTargets,
  printControllers,
  type ControllersRows,
} from './control-controllers';
import {
  leaseFleetSection,
  leaseFleetTarget,
  printLeaseFleet,
  type LeaseFleetCell,
  type LeaseFleetDeps,
} from './lease-fleet';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const CLK_TCK = 100;

interface Plane {
  runtime: Runtime;
  url: string;
  token: string;
  caFile: string;
  target: Target;
  dir: string;
}

interface Agent {
  child: ChildProcess;
  pid: number;
  output(): string;
}

const live = { agents: new Set<Agent>(), planes: new Set<Plane>() };
process.once('exit', () => {
  for (const a of live.agents) killQuietly(a.pid, 'SIGKILL');
});

function killQuietly(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

/** The control plane as `edgeplane dev --agents 0` starts it (same Worker variables, defaults). */
async function startPlane(dir: string): Promise<Plane> {
  const state = new StateDir(dir);
  state.cluster(4);
  const token = state.adminToken();
  const tls = state.tls();
  const runtime = await startRuntime({
    host: '127.0.0.1',
    port: 0,
    stateDir: dir,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    vars: {
      ADMIN_TOKEN: token,
      PARTITIONS: '4',
      HISTORY_REVISIONS: '10000',
      SERVICE_CIDR: '127.96.0.0/16',
      WATCH_PROGRESS_MS: '1000',
      DEFAULT_TOLERATION_SECONDS: '300',
      EVENT_TTL: '3600',
    },
    schedulerVars: { SCHEDULER_STRATEGY: 'least-allocated' },
    controllerVars: {
      NODE_MONITOR_GRACE_PERIOD: '50',
      DEFAULT_TOLERATION_SECONDS: '300',
    },
  });
  const url = `https://127.0.0.1:${runtime.url.port}`;
  const target: Target = {
    base: url,
    agent: new https.Agent({ ca: tls.certPem, keepAlive: true, maxSockets: 64 }),
    headers: { authorization: `Bearer ${token}` },
  };
  const plane = { runtime, url, token, caFile: path.join(dir, 'tls', 'server.crt'), target, dir };
  live.planes.add(plane);
  return plane;
}

async function stopPlane(p: Plane): Promise<void> {
  await Promise.all([...live.agents].map(stopAgent));
  await p.runtime.stop().catch(() => undefined);
  p.target.agent.destroy();
  live.planes.delete(p);
}

/** One agent process holding `count` simulated nodes named <prefix>1..N from node slot `firstSlot`. */
async function startAgent(
  p: Plane,
  prefix: string,
  count: number,
  firstSlot: number,
): Promise<Agent> {
  const state = path.join(p.dir, 'agents', prefix);
  const args = [
    '--import',
    TSX,
    path.join(ROOT, 'src', 'cli', 'main.ts'),
    'agent',
    '--server',
    p.url,
    '--token',
    p.token,
    '--ca-file',
    p.caFile,
    '--runtime',
    'fake',
    '--nodes',
    String(count),
    '--name-prefix',
    prefix,
    '--address',
    slotAddress(firstSlot),
    '--cpu',
    '8',
    '--memory',
    '32Gi',
    '--state',
    state,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  const agent: Agent = { child, pid: child.pid!, output: () => out };
  live.agents.add(agent);
  const until = Date.now() + 300_000;
  while (!/edgeplane agent: .* ready/.test(out)) {
    if (child.exitCode !== null)
      throw new Error(`agent ${prefix} exited (${child.exitCode}):\n${out}`);
    if (Date.now() > until) throw new Error(`agent ${prefix} not ready after 300 s:\n${out}`);
    await sleep(200);
  }
  return agent;
}

async function stopAgent(a: Agent): Promise<void> {
  if (!live.agents.has(a)) return;
  const exited = new Promise<void>((r) =>
    a.child.exitCode !== null ? r() : a.child.once('exit', () => r()),
  );
  killQuietly(a.pid, 'SIGTERM');
  const t = setTimeout(() => killQuietly(a.pid, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
  live.agents.delete(a);
}

/** Simulated nodes in processes of at most `perAgent` nodes each; waits until every node is Ready. */
async function startNodes(p: Plane, total: number, perAgent: number): Promise<Agent[]> {
  const t0 = Date.now();
  const jobs: Promise<Agent>[] = [];
  for (let i = 0, slot = 256; i * perAgent < total; i++) {
    const n = Math.min(perAgent, total - i * perAgent);
    // Local node addresses stop at MAX_LOCAL_SLOTS; simulated nodes open no port, so past it the slots are reused.
    if (slot + n > MAX_LOCAL_SLOTS) slot = 256;
    jobs.push(startAgent(p, `sim${i}-`, n, slot));
    slot += n;
  }
  const agents = await Promise.all(jobs);
  for (;;) {
    const ready = await readyNodes(p);
    if (ready >= total) break;
    if (Date.now() - t0 > 300_000)
      throw new Error(`only ${ready} of ${total} nodes Ready after 300 s`);
    await sleep(1000);
  }
  log(
    `${total} simulated nodes Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${agents.length} agent process(es))`,
  );
  return agents;
}

async function readyNodes(p: Plane): Promise<number> {
  const res = await send(p.target, 'GET', '/api/v1/nodes');
  if (res.status !== 200) throw new Error(`GET nodes answered ${res.status}`);
  const items = (
    JSON.parse(res.body) as {
      items: { status?: { conditions?: { type: string; status: string }[] } }[];
    }
  ).items;
  return items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

async function must(
  p: Plane,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ metadata?: { resourceVersion?: string } }> {
  const res = await send(
    p.target,
    method,
    route,
    body === undefined ? undefined : JSON.stringify(body),
  );
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${route} answered ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as { metadata?: { resourceVersion?: string } };
}

interface WatchObj {
  metadata: { uid: string; name: string; generation?: number };
  spec?: { nodeName?: string; replicas?: number };
  status?: {
    observedGeneration?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
}

/**
 * Lists (for the resourceVersion) and watches from there; `onEvent` gets each object with its arrival
 * time. A watch the server ends is opened again from the last resourceVersion seen (as informers do),
 * and said on stderr, so a dropped stream cannot stall a measurement unnoticed.
 */
async function watchFrom(
  p: Plane,
  route: string,
  onEvent: (type: string, obj: WatchObj, at: number) => void,
): Promise<{ close(): void }> {
  const sep = route.includes('?') ? '&' : '?';
  const list = await must(p, 'GET', `${route}${sep}limit=1`);
  let rv = list.metadata?.resourceVersion ?? '0';
  let closed = false;
  let current: { close(): void } | undefined;
  const open = async (): Promise<void> => {
    const started = Date.now();
    current = await streamLines(
      p.target,
      'GET',
      `${route}${sep}watch=true&resourceVersion=${encodeURIComponent(rv)}&timeoutSeconds=1800`,
      undefined,
      (line) => {
        const e = JSON.parse(line) as {
          type: string;
          object: WatchObj & { metadata: { resourceVersion?: string }; message?: string };
        };
        if (e.type === 'ERROR') {
          log(`watch ${route}: ERROR ${e.object.message ?? JSON.stringify(e.object)}`);
          return;
        }
        if (e.object.metadata?.resourceVersion) rv = e.object.metadata.resourceVersion;
        onEvent(e.type, e.object, Date.now());
      },
      () => {
        if (closed) return;
        log(
          `watch ${route}: the server ended it after ${((Date.now() - started) / 1000).toFixed(0)} s; watching again from ${rv}`,
        );
        void reopen();
      },
    );
  };
  // A reopen that fails (a loaded server resets the connection) is tried again: a watch that
  // gave up would leave the measurement waiting for events it can no longer see.
  const reopen = async (): Promise<void> => {
    for (let attempt = 1; !closed; attempt++) {
      try {
        await open();
        return;
      } catch (err) {
        log(`watch ${route}: ${String(err)}; retrying`);
        await sleep(Math.min(2000, 100 * attempt));
      }
    }
  };
  await open();
  return {
    close: () => {
      closed = true;
      current?.close();
    },
  };
}

/** A streaming GET: each full line to `onLine`, `onEnd` when the response ends; resolves once the headers arrive. */
function streamLines(
  t: Target,
  method: string,
  route: string,
  body: string | undefined,
  onLine: (line: string) => void,
  onEnd: () => void,
): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(route, t.base),
      { method, headers: t.headers, agent: t.agent },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`${method} ${route} answered ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.trim()) onLine(line);
          }
        });
        // A reset connection ends the stream too ('end' does not come then): one onEnd either way.
        let ended = false;
        const end = () => {
          if (!ended) ((ended = true), onEnd());
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', () => undefined);
        resolve({ close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

interface RolloutCell extends Counters {
  replicas: number;
  boundMs: number;
  availableMs: number;
  /** The last pod's creation (first seen on the watch) and its binding: what the pods' creation rate does not hide. */
  lastCreatedMs: number;
  /** Per pod, first seen on the watch to bound: the scheduler's own latency. */
  createToBind: number[];
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** What the leaders did over a window (from Runtime.loopStatus). */
interface Counters {
  schedulerRequests: number;
  bound: number;
  schedulerPasses: number;
  controllerRequests: number;
  controllerPasses: number;
  /** Leaders whose in-memory counters started again from zero during the window (workerd evicted the idle object). */
  reset: string[];
}

type Who = 'scheduler' | 'controllers';
const KEYS: [Who, string, keyof Counters][] = [
  ['scheduler', 'requests', 'schedulerRequests'],
  ['scheduler', 'bound', 'bound'],
  ['scheduler', 'passes', 'schedulerPasses'],
  ['controllers', 'requests', 'controllerRequests'],
  ['controllers', 'passes', 'controllerPasses'],
];

/**
 * Polls the leaders' counters every second and adds up the increases. The counters live in the
 * leader objects' memory and start from zero when workerd evicts an idle object (seen here), so a
 * plain before/after difference can come out negative; a drop is counted as a restart from zero.
 */
async function trackCounters(p: Plane): Promise<{ stop(): Promise<Counters> }> {
  const totals: Counters = {
    schedulerRequests: 0,
    bound: 0,
    schedulerPasses: 0,
    controllerRequests: 0,
    controllerPasses: 0,
    reset: [],
  };
  const last = new Map<string, number>();
  const poll = async () => {
    const [scheduler, controllers] = await Promise.all([
      p.runtime.loopStatus('scheduler'),
      p.runtime.loopStatus('controllers'),
    ]);
    const now = { scheduler, controllers };
    for (const [who, key, field] of KEYS) {
      const cur = Number(now[who][key]);
      const prev = last.get(`${who}.${key}`);
      if (prev !== undefined) {
        if (cur < prev && !totals.reset.includes(who)) totals.reset.push(who);
        (totals[field] as number) += cur < prev ? cur : cur - prev;
      }
      last.set(`${who}.${key}`, cur);
    }
  };
  await poll();
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(poll).catch(() => undefined);
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      // A pass may still be recording its events after the thing measured happened: let it finish.
      await sleep(1000);
      await poll();
      return totals;
    },
  };
}

/** POST a Deployment of `replicas` and time all pods bound and the Deployment Available. */
async function rolloutCell(p: Plane, ns: string, replicas: number): Promise<RolloutCell> {
  const name = `web${replicas}`;
  const bound = new Set<string>();
  let boundAt = 0;
  let availableAt = 0;
  const firstSeen = new Map<string, number>();
  const createToBind: number[] = [];
  let lastCreatedAt = 0;
  const pods = await watchFrom(
    p,
    `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${name}`,
    (type, o, at) => {
      if (type !== 'DELETED' && !firstSeen.has(o.metadata.uid)) {
        firstSeen.set(o.metadata.uid, at);
        lastCreatedAt = at;
      }
      if (type !== 'DELETED' && o.spec?.nodeName && !bound.has(o.metadata.uid)) {
        bound.add(o.metadata.uid);
        createToBind.push(at - (firstSeen.get(o.metadata.uid) ?? at));
        if (bound.size === replicas) boundAt = at;
      }
    },
  );
  const deploys = await watchFrom(
    p,
    `/apis/apps/v1/namespaces/${ns}/deployments?fieldSelector=metadata.name%3D${name}`,
    (_t, o, at) => {
      const available = o.status?.conditions?.some(
        (c) => c.type === 'Available' && c.status === 'True',
      );
      if (
        !availableAt &&
        available &&
        (o.status?.observedGeneration ?? 0) >= (o.metadata.generation ?? 1) &&
        o.status?.availableReplicas === replicas
      )
        availableAt = at;
    },
  );
  const tracker = await trackCounters(p);
  const t0 = Date.now();
  try {
    await must(p, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'app', image: 'registry.example/web:1' }],
          },
        },
      },
    });
    await until(`${replicas} pods bound`, () => boundAt > 0, 300_000);
    await until(`Deployment ${name} Available`, () => availableAt > 0, 300_000);
  } finally {
    pods.close();
    deploys.close();
  }
  return {
    replicas,
    boundMs: boundAt - t0,
    availableMs: availableAt - t0,
    lastCreatedMs: lastCreatedAt - t0,
    createToBind,
    ...(await tracker.stop()),
  };
}

/** utime+stime in seconds summed over the workerd processes under this one. */
export function workerdCpuSeconds(): number {
  let ticks = 0;
  for (const d of descendants(process.pid)) {
    if (!/workerd/.test(d.cmd)) continue;
    ticks += procTicks(d.pid);
  }
  return ticks / CLK_TCK;
}

function procTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

interface CpuCell {
  label: string;
  seconds: number;
  cpuSeconds: number;
  leaseWrites: number;
  agentCpuSeconds: number;
}

/** Waits (up to `maxMs`) until lease renewals reach `share` of one per node every 10 s; answers the last rate seen. */
async function leasesSteady(
  p: Plane,
  nodes: number,
  share: number,
  maxMs: number,
): Promise<number> {
  let writes = 0;
  const w = await watchFrom(
    p,
    '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    (type) => {
      if (type === 'MODIFIED') writes++;
    },
  );
  const t0 = Date.now();
  let rate = 0;
  try {
    while (Date.now() - t0 < maxMs) {
      writes = 0;
      await sleep(5000);
      rate = writes / 5;
      if (rate >= (share * nodes) / 10) break;
    }
  } finally {
    w.close();
  }
  return rate;
}

/** Control plane CPU over a window, and how many lease writes happened in it (from a lease watch). */
async function cpuWindow(
  p: Plane,
  label: string,
  seconds: number,
  agents: Agent[],
): Promise<CpuCell> {
  let leaseWrites = 0;
  const w = await watchFrom(
    p,
    '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    (type) => {
      if (type === 'MODIFIED') leaseWrites++;
    },
  );
  const agentTicks = () => agents.reduce((s, a) => s + procTicks(a.pid), 0);
  const cpu0 = workerdCpuSeconds();
  const a0 = agentTicks();
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const cpu1 = workerdCpuSeconds();
  const a1 = agentTicks();
  const wall = (Date.now() - t0) / 1000;
  w.close();
  return {
    label,
    seconds: wall,
    cpuSeconds: cpu1 - cpu0,
    leaseWrites,
    agentCpuSeconds: (a1 - a0) / CLK_TCK,
  };
}

interface ThroughputCell extends Counters {
  nodes: number;
  pods: number;
  /** Pods asked for; fewer were created when the creation time limit ran out. */
  wanted: number;
  boundPods: number;
  createMs: number;
  lastBindMs: number;
  boundAtCreateEnd: number;
  drainRate: number;
  overallRate: number;
  peakRate: number;
  cpuSeconds: number;
}

/**
 * Creates `wanted` bare pods as fast as `parallel` clients can (stopping at `createLimitMs`, so a slow
 * machine still finishes), and times their bindings from a watch.
 */
async function throughputCell(
  p: Plane,
  nodes: number,
  wanted: number,
  parallel: number,
  createLimitMs: number,
): Promise<ThroughputCell> {
  const ns = 'throughput';
  await must(p, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const bindTimes: number[] = [];
  const seen = new Set<string>();
  const w = await watchFrom(p, `/api/v1/namespaces/${ns}/pods`, (type, o, at) => {
    if (type !== 'DELETED' && o.spec?.nodeName && !seen.has(o.metadata.uid)) {
      seen.add(o.metadata.uid);
      bindTimes.push(at);
    }
  });
  const tracker = await trackCounters(p);
  const cpu0 = workerdCpuSeconds();
  const t0 = Date.now();
  let next = 0;
  let created = 0;
  const progress = setInterval(
    () => log(`  ${created} created, ${bindTimes.length} bound`),
    30_000,
  );
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < wanted && Date.now() - t0 < createLimitMs) {
        const i = next++;
        await createPod(p, ns, `p-${i}`, 'throughput');
        created++;
      }
    }),
  );
  const createdAt = Date.now();
  const count = created;
  const boundAtCreateEnd = bindTimes.length;
  try {
    await until(`${count} pods bound`, () => bindTimes.length >= count, 120_000);
  } catch {
    log(
      `  only ${bindTimes.length} of ${count} pods bound 120 s after the last create; reporting what was bound`,
    );
  } finally {
    w.close();
    clearInterval(progress);
  }
  const cpuSeconds = workerdCpuSeconds() - cpu0;
  const counted = await tracker.stop();
  const last = bindTimes[bindTimes.length - 1];
  // The best one-second window of bindings: what the scheduler manages when it has a backlog.
  let peak = 0;
  for (let i = 0, j = 0; i < bindTimes.length; i++) {
    while (bindTimes[i] - bindTimes[j] > 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return {
    nodes,
    pods: count,
    wanted,
    boundPods: bindTimes.length,
    createMs: createdAt - t0,
    lastBindMs: last - t0,
    boundAtCreateEnd,
    // Only a real backlog says anything about the scheduler alone.
    drainRate:
      bindTimes.length - boundAtCreateEnd >= 50 && last > createdAt
        ? (bindTimes.length - boundAtCreateEnd) / ((last - createdAt) / 1000)
        : NaN,
    overallRate: bindTimes.length / ((last - t0) / 1000),
    peakRate: peak,
    cpuSeconds,
    ...counted,
  };
}

/**
 * POST one bare pod. A connection the loaded server drops is retried (a retry that finds the pod
 * already there counts it as created): one dropped socket must not end a whole run.
 */
async function createPod(p: Plane, ns: string, name: string, app: string): Promise<void> {
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: 'registry.example/app:1' }],
    },
  });
  for (let attempt = 1; ; attempt++) {
    let res: { status: number; body: string };
    try {
      res = await send(p.target, 'POST', `/api/v1/namespaces/${ns}/pods`, body);
    } catch (err) {
      if (attempt >= 5) throw err;
      log(`  POST pod ${name}: ${String(err)}; retrying`);
      await sleep(200 * attempt);
      continue;
    }
    if (res.status === 201 || (res.status === 409 && attempt > 1)) return;
    throw new Error(`POST pod ${name} answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
}

/**
 * The scheduler Worker's benchmark hooks (the same RPC entrypoint as Runtime.loopStatus). The RPC
 * proxy answers every property, `then` included, so it is wrapped rather than returned from an
 * async function (which would take it for a promise).
 */
function schedulerWorker(p: Plane): {
  pause(paused: boolean): Promise<void>;
  status(): Promise<Record<string, number>>;
  rebuild(): Promise<Rebuild>;
} {
  type Hooks = {
    pause(paused: boolean): Promise<void>;
    status(): Promise<Record<string, number>>;
    rebuild(): Promise<Rebuild>;
  };
  const worker = () => p.runtime.mf.getWorker('edgeplane-scheduler') as unknown as Promise<Hooks>;
  return {
    pause: async (paused) => {
      const w = await worker();
      await w.pause(paused);
    },
    status: async () => {
      const w = await worker();
      return w.status();
    },
    rebuild: async () => {
      const w = await worker();
      const r = await w.rebuild();
      return { ms: r.ms, pods: r.pods, nodes: r.nodes };
    },
  };
}

/** The scheduler's caches listed again from scratch, as after an eviction. */
interface Rebuild {
  ms: number;
  pods: number;
  nodes: number;
}

interface DrainCell {
  pods: number;
  createMs: number;
  drainMs: number;
  rate: number;
  schedulerRequests: number;
  bound: number;
  /** workerd CPU from the resume to the last binding (every Worker: bindings, events, the agents' status writes, watches). */
  cpuSeconds: number;
  load: string;
}

/**
 * The scheduler alone: it is paused while `count` pods are created (its queue fills from the watch),
 * then resumed; the figure is the time from the resume to the last binding seen on a watch.
 */
async function drainCell(p: Plane, count: number, parallel: number): Promise<DrainCell> {
  const ns = 'drain';
  await must(p, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const scheduler = schedulerWorker(p);
  await scheduler.pause(true);
  const bindTimes: number[] = [];
  const seen = new Set<string>();
  const w = await watchFrom(p, `/api/v1/namespaces/${ns}/pods`, (type, o, at) => {
    if (type !== 'DELETED' && o.spec?.nodeName && !seen.has(o.metadata.uid)) {
      seen.add(o.metadata.uid);
      bindTimes.push(at);
    }
  });
  const t0 = Date.now();
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < count) await createPod(p, ns, `d-${next++}`, 'drain');
      }),
    );
    const createMs = Date.now() - t0;
    // The paused scheduler must have every pod queued before the clock starts.
    let queued = 0;
    for (const end = Date.now() + 120_000; Date.now() < end; await sleep(250)) {
      queued = Number((await scheduler.status()).active ?? 0);
      if (queued >= count) break;
    }
    const before = await scheduler.status();
    const cpu0 = workerdCpuSeconds();
    const resumed = Date.now();
    await scheduler.pause(false);
    await until(`${count} drained pods bound`, () => bindTimes.length >= count, 300_000);
    const cpuSeconds = workerdCpuSeconds() - cpu0;
    const after = await scheduler.status();
    const drainMs = bindTimes[bindTimes.length - 1] - resumed;
    const spent = (k: string) => Number(after[k] ?? 0) - Number(before[k] ?? 0);
    if (after.startedAt !== before.startedAt || bindTimes.filter((at) => at < resumed).length > 0) {
      log(
        `  warning: ${bindTimes.filter((at) => at < resumed).length} pods were bound before the resume (the scheduler's leader restarted: ${before.startedAt !== after.startedAt})`,
      );
    }
    log(
      `  scheduler: ${spent('passes')} passes; wall ms in bindings ${spent('bindMs')}, PodScheduled writes ${spent('statusMs')}, events ${spent('eventsMs')}`,
    );
    // Only what was bound after the resume counts (none before it, unless the leader restarted unpaused).
    const drained = bindTimes.filter((at) => at >= resumed).length;
    return {
      pods: drained,
      createMs,
      drainMs,
      rate: drained / (drainMs / 1000),
      schedulerRequests: after.requests - before.requests,
      bound: after.bound - before.bound,
      cpuSeconds,
      load: loadavg(),
    };
  } finally {
    w.close();
    await scheduler.pause(false).catch(() => undefined);
  }
}

interface SerialCell {
  kind: string;
  count: number;
  p50: number;
  mean: number;
  cpuMsPerCreate: number;
  load: string;
}

/** The minimal Pod or ConfigMap the serial-create rows (here and bench/profile.ts) send. */
export function serialBody(kind: 'Pod' | 'ConfigMap', name: string, app: string): string {
  return JSON.stringify(
    kind === 'Pod'
      ? {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels: { app } },
          spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
        }
      : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } },
  );
}

/**
 * One client creating objects one after another in an empty cluster (no nodes): each create's
 * latency as the client sees it, and workerd CPU per create. Pods are then tried by the scheduler
 * (no node: a PodScheduled=False status write and an event each), as a user's first pods are.
 */
async function serialCell(p: Plane, kind: 'ConfigMap' | 'Pod', count: number): Promise<SerialCell> {
  const ns = `serial-${kind.toLowerCase()}`;
  await must(p, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const body = (name: string) => serialBody(kind, name, 'serial');
  const route = `/api/v1/namespaces/${ns}/${kind === 'Pod' ? 'pods' : 'configmaps'}`;
  // A few first creates open the shards and warm the isolate; they are not counted.
  for (let i = 0; i < 5; i++) await send(p.target, 'POST', route, body(`warm-${i}`));
  const times: number[] = [];
  const cpu0 = workerdCpuSeconds();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const res = await send(p.target, 'POST', route, body(`s-${i}`));
    times.push(performance.now() - t);
    if (res.status !== 201) throw new Error(`POST ${route} answered ${res.status}: ${res.body}`);
  }
  const cpu = workerdCpuSeconds() - cpu0;
  return {
    kind,
    count,
    p50: quantile(times, 0.5),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    cpuMsPerCreate: (cpu * 1000) / count,
    load: loadavg(),
  };
}

/** What row (e) (bench/lease-fleet.ts) borrows from this file. */
function fleetDeps(dir: string): LeaseFleetDeps<Plane> {
  return {
    startPlane: () => startPlane(dir),
    stopPlane,
    startAgent,
    readyNodes,
    leasesSteady,
    watchFrom,
    workerdCpuSeconds,
    log,
  };
}

/** One row of the closing table: what issue 9 asks for, and what this run measured. */
interface TargetRow {
  figure: string;
  measured: string;
  target: string;
}

export async function controlBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'small-nodes': { type: 'string', default: '100' },
      replicas: { type: 'string', default: '1,100,1000' },
      'large-nodes': { type: 'string', default: '1000' },
      pods: { type: 'string', default: '3000' },
      'nodes-per-agent': { type: 'string', default: '250' },
      'cpu-seconds': { type: 'string', default: '30' },
      parallel: { type: 'string', default: '32' },
      'create-seconds': { type: 'string', default: '300' },
      'drain-pods': { type: 'string', default: '3000' },
      // (i) serial creates by one client in the empty cluster: ConfigMaps (the floor), then Pods.
      serial: { type: 'string', default: '200' },
      'lease-nodes': { type: 'string', default: '5000' },
      'lease-minutes': { type: 'string', default: '10' },
      'lease-nodes-per-agent': { type: 'string', default: '1000' },
      // The controllers' rows (f, g, h); `--only controllers` runs just those.
      'wake-seconds': { type: 'string', default: '10' },
      'converged-pods': { type: 'string', default: '3000' },
      'rebuild-pods': { type: 'string', default: '10000' },
      only: { type: 'string', default: '' },
    },
  });
  const controllerOpts = {
    wakeSeconds: Number(values['wake-seconds']),
    convergedPods: Number(values['converged-pods']),
    rebuildPods: Number(values['rebuild-pods']),
  };
  if (values.only === 'controllers') {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-control-'));
    console.log(
      `edgeplane control-plane benchmark, the controllers' rows only; load average ${loadavg()} at the start`,
    );
    try {
      const rows = await controllersSection(
        () => startPlane(path.join(base, 'd')),
        stopPlane,
        controllerOpts,
      );
      printControllers(rows, table);
      console.log('');
      console.log(
        table(
          ['figure', 'measured', 'target'],
          controllersTargets(rows).map((t) => [t.figure, t.measured, t.target]),
        ),
      );
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
    console.log(`load average ${loadavg()} at the end`);
    return;
  }
  const leaseOpts = {
    nodes: Number(values['lease-nodes']),
    minutes: Number(values['lease-minutes']),
    perAgent: Number(values['lease-nodes-per-agent']),
  };
  if (values.only === 'lease') {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-lease-'));
    console.log(
      `edgeplane control-plane benchmark, row (e) only; load average ${loadavg()} at the start`,
    );
    try {
      const cell = await leaseFleetSection(fleetDeps(path.join(base, 'c')), leaseOpts);
      printLeaseFleet(cell, table);
      const t = leaseFleetTarget(cell);
      console.log('');
      console.log(table(['figure', 'measured', 'target'], [[t.figure, t.measured, t.target]]));
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
    console.log(`load average ${loadavg()} at the end`);
    return;
  }
  const smallNodes = Number(values['small-nodes']);
  const replicaCounts = values.replicas!.split(',').map(Number);
  const largeNodes = Number(values['large-nodes']);
  const podCount = Number(values.pods);
  const perAgent = Number(values['nodes-per-agent']);
  const cpuSeconds = Number(values['cpu-seconds']);
  const parallel = Number(values.parallel);
  const createLimitMs = Number(values['create-seconds']) * 1000;
  const drainPods = Number(values['drain-pods']);
  const serialCount = Number(values.serial);
  const started = Date.now();
  console.log(
    `edgeplane control-plane benchmark: scheduler and controllers on simulated nodes (edgeplane agent --runtime fake)`,
  );
  console.log(
    `machine: ${os.cpus().length} CPUs, load average ${loadavg()} at the start (other work on the machine skews every figure)\n`,
  );

  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-control-'));
  const rollouts: RolloutCell[] = [];
  const cpu: CpuCell[] = [];
  let throughput: ThroughputCell | undefined;
  let drain: DrainCell | undefined;
  const serial: SerialCell[] = [];
  let lease: LeaseFleetCell | undefined;
  let rebuild: Rebuild | undefined;
  let controllerRows: ControllersRows = {};
  const failures: string[] = [];
  try {
    // (a) rollout latency on 100 nodes, plus the idle baseline before any node exists.
    log(`control plane A: ${smallNodes} nodes`);
    const a = await startPlane(path.join(base, 'a'));
    await sleep(3000);
    cpu.push(await cpuWindow(a, 'idle, no nodes', Math.min(10, cpuSeconds), []));
    if (serialCount > 0) {
      for (const kind of ['ConfigMap', 'Pod'] as const) {
        log(`${serialCount} ${kind}s created one after another by one client (no nodes)`);
        const cell = await serialCell(a, kind, serialCount);
        log(
          `  p50 ${cell.p50.toFixed(1)} ms, ${cell.cpuMsPerCreate.toFixed(1)} ms workerd CPU each`,
        );
        serial.push(cell);
      }
    }
    const agentsA = await startNodes(a, smallNodes, perAgent);
    await must(a, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'rollout' },
    });
    for (const r of replicaCounts) {
      log(`rollout of ${r} replica(s)`);
      const cell = await rolloutCell(a, 'rollout', r);
      log(`  bound ${cell.boundMs} ms, Available ${cell.availableMs} ms`);
      rollouts.push(cell);
    }
    await Promise.all(agentsA.map(stopAgent));
    await stopPlane(a);

    // (d) CPU while 1,000 nodes renew leases, then (b, c) scheduler throughput on those nodes.
    // Each plane that fails (on a saturated machine agents time out registering) is reported, and the rest still runs.
    try {
      log(`control plane B: ${largeNodes} nodes`);
      const b = await startPlane(path.join(base, 'b'));
      const agentsB = await startNodes(b, largeNodes, perAgent);
      log('waiting for lease renewals to reach 90% of one per node per 10 s');
      const rate = await leasesSteady(b, largeNodes, 0.9, 90_000);
      log(`  ${rate.toFixed(0)} lease writes/s`);
      log(`measuring CPU for ${cpuSeconds} s while ${largeNodes} nodes renew leases`);
      cpu.push(await cpuWindow(b, `${largeNodes} nodes renewing leases`, cpuSeconds, agentsB));
      log(`creating ${podCount} pods with ${parallel} clients`);
      throughput = await throughputCell(b, largeNodes, podCount, parallel, createLimitMs);
      log(`  last binding ${throughput.lastBindMs} ms after the first create`);
      if (drainPods > 0) {
        log(`scheduler paused while ${drainPods} more pods are created, then resumed`);
        drain = await drainCell(b, drainPods, parallel);
        log(`  drained in ${drain.drainMs} ms (${drain.rate.toFixed(0)} pods/s)`);
      }
      rebuild = await schedulerWorker(b)
        .rebuild()
        .catch((err: unknown) => {
          log(`  scheduler cache rebuild failed: ${String(err)}`);
          return undefined;
        });
      if (rebuild)
        log(
          `  scheduler caches rebuilt (as after an eviction): ${rebuild.pods} pods, ${rebuild.nodes} nodes in ${rebuild.ms} ms`,
        );
      await Promise.all(agentsB.map(stopAgent));
      await stopPlane(b);
    } catch (err) {
      failures.push(
        `control plane B (${largeNodes} nodes): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
      log(err instanceof Error ? err.message.slice(0, 3000) : String(err));
      for (const p of [...live.planes]) await stopPlane(p);
    }

    // (e) many nodes renewing leases: no node whose agent is alive may be marked NotReady.
    if (leaseOpts.nodes > 0 && leaseOpts.minutes > 0) {
      try {
        log(
          `control plane C: ${leaseOpts.nodes} nodes renewing leases for ${leaseOpts.minutes} min`,
        );
        lease = await leaseFleetSection(fleetDeps(path.join(base, 'c')), leaseOpts);
        log(`  ${lease.falseNotReady} false NotReady, ${lease.cpuSeconds.toFixed(1)} CPU s`);
      } catch (err) {
        failures.push(
          `control plane C (${leaseOpts.nodes} nodes): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        );
        log(err instanceof Error ? err.message.slice(0, 3000) : String(err));
        for (const p of [...live.planes]) await stopPlane(p);
      }
    }
    // (f, g, h) the controllers, on a plane of their own.
    controllerRows = await controllersSection(
      () => startPlane(path.join(base, 'd')),
      stopPlane,
      controllerOpts,
    );
  } finally {
    for (const p of [...live.planes]) await stopPlane(p);
    fs.rmSync(base, { recursive: true, force: true });
  }

  console.log(
    `== (a) Deployment rollout on ${smallNodes} simulated nodes (API create to all pods bound / Deployment Available) ==`,
  );
  console.log(
    table(
      [
        'replicas',
        'all bound ms',
        'Available ms',
        'last pod created ms',
        'created->bound p50 / p99 ms',
        'scheduler passes',
        'scheduler requests',
        'per bound pod',
        'controller passes',
        'controller requests',
      ],
      rollouts.map((r) => [
        r.replicas,
        r.boundMs,
        r.availableMs,
        r.lastCreatedMs,
        `${quantile(r.createToBind, 0.5)} / ${quantile(r.createToBind, 0.99)}`,
        r.schedulerPasses,
        r.schedulerRequests,
        perPod(r),
        r.controllerPasses,
        r.controllerRequests,
      ]),
    ),
  );
  for (const r of rollouts)
    if (r.reset.length)
      console.log(
        `(${r.replicas} replicas: workerd evicted and restarted the ${r.reset.join(' and ')} leader during the run; counted across it)`,
      );
  console.log('');
  if (throughput) {
    const t = throughput;
    console.log(
      `== (b, c) scheduler throughput: ${t.pods} bare pods created by ${parallel} API clients, ${t.nodes} simulated nodes ==`,
    );
    if (t.pods < t.wanted)
      console.log(
        `(creation stopped at the ${createLimitMs / 1000} s limit: ${t.pods} of the ${t.wanted} pods asked for; --create-seconds raises it)`,
      );
    console.log(
      table(
        [
          'create all ms',
          'last bind ms',
          'bound',
          'bound when creates ended',
          'overall pods/s',
          'drain pods/s',
          'best 1 s',
          'scheduler passes',
          'scheduler requests',
          'per bound pod',
          'controller passes',
          'controller requests',
          'workerd CPU s',
        ],
        [
          [
            t.createMs,
            t.lastBindMs,
            t.boundPods,
            t.boundAtCreateEnd,
            t.overallRate.toFixed(1),
            Number.isFinite(t.drainRate) ? t.drainRate.toFixed(0) : '-',
            t.peakRate,
            t.schedulerPasses,
            t.schedulerRequests,
            perPod(t),
            t.controllerPasses,
            t.controllerRequests,
            t.cpuSeconds.toFixed(1),
          ],
        ],
      ),
    );
    console.log(
      '(overall: pods / time from the first create to the last binding; drain: the backlog left when creation ended / time to bind it, the scheduler alone (- when under 50 pods were left: the scheduler kept up); ' +
        'best 1 s: most bindings seen in any one second)',
    );
    if (t.reset.length)
      console.log(
        `(workerd evicted and restarted the ${t.reset.join(' and ')} leader during the run; counted across it)`,
      );
    console.log('');
  }
  console.log('== (d) control-plane CPU (workerd processes, utime+stime) ==');
  console.log(
    table(
      [
        'state',
        'window s',
        'CPU s',
        'cores',
        'lease writes/s',
        'CPU ms per lease write',
        'agents CPU s',
      ],
      cpu.map((c) => [
        c.label,
        c.seconds.toFixed(1),
        c.cpuSeconds.toFixed(2),
        (c.cpuSeconds / c.seconds).toFixed(2),
        (c.leaseWrites / c.seconds).toFixed(1),
        c.leaseWrites ? ms((c.cpuSeconds * 1000) / c.leaseWrites) : '-',
        c.agentCpuSeconds.toFixed(2),
      ]),
    ),
  );
  if (drain) {
    console.log('');
    console.log(
      `== (c') scheduler drain: ${drain.pods} pods queued while the scheduler was paused, then resumed (resume to last binding) ==`,
    );
    console.log(
      table(
        [
          'pods',
          'create ms (paused)',
          'drain ms',
          'pods/s',
          'scheduler requests',
          'bound',
          'per bound pod',
          'workerd CPU s',
          'CPU ms per pod',
          'load average',
        ],
        [
          [
            drain.pods,
            drain.createMs,
            drain.drainMs,
            drain.rate.toFixed(0),
            drain.schedulerRequests,
            drain.bound,
            drain.bound ? (drain.schedulerRequests / drain.bound).toFixed(2) : '-',
            drain.cpuSeconds.toFixed(1),
            drain.pods ? ((drain.cpuSeconds * 1000) / drain.pods).toFixed(1) : '-',
            drain.load,
          ],
        ],
      ),
    );
  }
  if (serial.length) {
    console.log('');
    console.log(
      '== (i) one client creating objects one after another, empty cluster (no nodes: each pod gets a PodScheduled=False write and an event) ==',
    );
    console.log(
      table(
        ['kind', 'creates', 'p50 ms', 'mean ms', 'workerd CPU ms per create', 'load average'],
        serial.map((c) => [
          c.kind,
          c.count,
          c.p50.toFixed(1),
          c.mean.toFixed(1),
          c.cpuMsPerCreate.toFixed(1),
          c.load,
        ]),
      ),
    );
  }
  if (lease) {
    console.log('');
    printLeaseFleet(lease, table);
  }
  // The figures side by side with their targets (other sections may add their rows here).
  const targets: TargetRow[] = [];
  const r1000 = rollouts.find((r) => r.replicas === 1000);
  if (r1000)
    targets.push({
      figure: '1,000 replicas on 100 simulated nodes: all bound / Available',
      measured: `${(r1000.boundMs / 1000).toFixed(1)} s / ${(r1000.availableMs / 1000).toFixed(1)} s`,
      target: '<= 2 s / <= 4 s',
    });
  if (throughput) {
    targets.push({
      figure: `${throughput.pods.toLocaleString('en')} bare pods with ${parallel} clients, ${throughput.nodes.toLocaleString('en')} simulated nodes: first create -> last binding`,
      measured: `${throughput.overallRate.toFixed(0)} pods/s (${((throughput.cpuSeconds * 1000) / Math.max(1, throughput.boundPods)).toFixed(1)} ms workerd CPU per pod)`,
      target: '>= 300 pods/s',
    });
    targets.push({
      figure: 'API requests per bound pod (scheduler)',
      measured: perPod(throughput),
      target: '<= 1.2',
    });
  }
  if (drain)
    targets.push({
      figure: `scheduler drain of a ${drain.pods.toLocaleString('en')}-pod backlog alone`,
      measured: `${drain.rate.toFixed(0)} pods/s (${((drain.cpuSeconds * 1000) / Math.max(1, drain.pods)).toFixed(1)} ms workerd CPU per pod; load ${drain.load})`,
      target: '>= 700 pods/s',
    });
  if (rebuild)
    targets.push({
      figure: `scheduler caches rebuilt after an eviction (${rebuild.pods.toLocaleString('en')} pods, ${rebuild.nodes.toLocaleString('en')} nodes)`,
      measured: `${(rebuild.ms / 1000).toFixed(1)} s`,
      target: 'reported',
    });
  const cm = serial.find((c) => c.kind === 'ConfigMap');
  const pod = serial.find((c) => c.kind === 'Pod');
  if (pod)
    targets.push({
      figure: `one client creating pods serially, empty cluster (a ConfigMap create takes ${cm ? cm.p50.toFixed(1) : '-'} ms)`,
      measured: `${pod.p50.toFixed(1)} ms per pod (p50; ${pod.cpuMsPerCreate.toFixed(1)} ms workerd CPU; load ${pod.load})`,
      target: '<= 7 ms',
    });
  if (lease) targets.push(leaseFleetTarget(lease));
  printControllers(controllerRows, table);
  targets.push(...controllersTargets(controllerRows));
  if (targets.length) {
    console.log('');
    console.log('== issue 9 targets ==');
    console.log(
      table(
        ['figure', 'measured', 'target'],
        targets.map((t) => [t.figure, t.measured, t.target]),
      ),
    );
  }
  for (const f of failures) console.log(`NOT MEASURED: ${f}`);
  console.log(
    `\nwhole run ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadavg()} at the end`,
  );
}

const perPod = (c: Counters) => (c.bound > 0 ? (c.schedulerRequests / c.bound).toFixed(2) : '-');
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
