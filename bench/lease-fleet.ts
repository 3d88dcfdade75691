// Row (e) of `npm run bench -- control`: a fleet of simulated nodes renewing their leases for minutes.
// Every Ready condition that leaves True while the node's agent process is alive is a false NotReady.
// Reported: false NotReady, the workerd processes' CPU time over the window, lease writes/s, and each
// agent process's fate (an agent that exits takes its nodes' leases with it: those NotReady are true,
// and the row names the exit instead of counting them).
// `npm run bench -- control --only lease --lease-nodes 5000 --lease-minutes 10` runs this row alone.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { MAX_LOCAL_SLOTS } from '../src/agent/network';

export interface FleetAgent {
  child: ChildProcess;
  pid: number;
  output(): string;
}

interface NodeObj {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
  /** A Lease's spec holds renewTime. */
  spec?: object;
}

/** Grace after which the controllers mark a silent node Unknown (the plane's default, 50 s). */
const GRACE_MS = 50_000;

/** What the control bench lends this row (its plane, agents, watches and CPU reading). */
export interface LeaseFleetDeps<P> {
  startPlane(): Promise<P>;
  stopPlane(p: P): Promise<void>;
  /** One agent process of `count` simulated nodes named <prefix>1..N, from node slot `firstSlot`; resolves once it is ready. */
  startAgent(p: P, prefix: string, count: number, firstSlot: number): Promise<FleetAgent>;
  readyNodes(p: P): Promise<number>;
  /** Waits until lease renewals reach `share` of one per node per 10 s; answers the rate. */
  leasesSteady(p: P, nodes: number, share: number, maxMs: number): Promise<number>;
  watchFrom(
    p: P,
    route: string,
    onEvent: (type: string, obj: NodeObj) => void,
  ): Promise<{ close(): void }>;
  workerdCpuSeconds(): number;
  log(m: string): void;
}

export interface LeaseFleetOptions {
  nodes: number;
  minutes: number;
  perAgent: number;
}

export interface AgentFate {
  pid: number;
  /** Exit code or signal, when it exited inside the window. */
  exit?: string;
  /** Seconds into the window it exited. */
  atSeconds?: number;
  /** Largest resident set seen (MiB). */
  maxRssMiB: number;
  /** The last lines it wrote, when it exited. */
  tail?: string;
}

export interface LeaseFleetCell {
  nodes: number;
  agents: number;
  seconds: number;
  /** Ready leaving True on a node whose agent was alive at that moment. */
  falseNotReady: number;
  falseNotReadyNodes: string[];
  /** Ready leaving True after its agent had exited (expected, not counted as false). */
  afterAgentExit: number;
  /**
   * Of the false NotReady: how many nodes' last lease renewal seen on the watch was older than
   * the grace when they flipped (the renewals did not get through: agent or API too slow), and how
   * many had renewed within it (the controller misjudged).
   */
  staleLease: number;
  freshLease: number;
  cpuSeconds: number;
  agentCpuSeconds: number;
  leaseWrites: number;
  /** Lease writes per second, minute by minute. */
  perMinute: number[];
  fates: AgentFate[];
}

const CLK_TCK = 100;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function procTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Simulated node names are <prefix><n>; the bench names agent i's prefix "sim<i>-". */
const agentIndexOf = (node: string): number => {
  const m = /^sim(\d+)-/.exec(node);
  return m ? Number(m[1]) : -1;
};

/** Runs the fleet on a plane of its own and answers the row (the plane is stopped before it returns). */
export async function leaseFleetSection<P>(
  deps: LeaseFleetDeps<P>,
  opts: LeaseFleetOptions,
): Promise<LeaseFleetCell> {
  const { log } = deps;
  const p = await deps.startPlane();
  try {
    const agents = await startFleet(deps, p, opts);
    await deps.leasesSteady(p, opts.nodes, 0.9, 120_000);
    return await leaseFleetCell(deps, p, agents, opts);
  } finally {
    log('lease fleet: stopping its plane');
    await deps.stopPlane(p);
  }
}

/** Simulated nodes take local node slots from 127.0.1.0; they open no port, so past the last slot they are reused. */
const FIRST_SLOT = 256;

/**
 * Agents start one after another, each once the one before is ready: thousands of registrations
 * at once only make every request wait (on 2 busy cores POST /nodes then passes the agents' 60 s
 * request timeout). Answers once every node is Ready.
 */
async function startFleet<P>(
  deps: LeaseFleetDeps<P>,
  p: P,
  opts: LeaseFleetOptions,
): Promise<FleetAgent[]> {
  const t0 = Date.now();
  const agents: FleetAgent[] = [];
  for (let i = 0, slot = FIRST_SLOT; i * opts.perAgent < opts.nodes; i++) {
    const n = Math.min(opts.perAgent, opts.nodes - i * opts.perAgent);
    if (slot + n > MAX_LOCAL_SLOTS) slot = FIRST_SLOT;
    agents.push(await deps.startAgent(p, `sim${i}-`, n, slot));
    slot += n;
    deps.log(
      `lease fleet: agent ${i + 1} ready (${(i * opts.perAgent + n).toLocaleString('en')} nodes) after ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  for (;;) {
    const ready = await deps.readyNodes(p);
    if (ready >= opts.nodes) break;
    if (Date.now() - t0 > 900_000)
      throw new Error(`only ${ready} of ${opts.nodes} nodes Ready after 900 s`);
    await sleep(2000);
  }
  deps.log(
    `lease fleet: ${opts.nodes} nodes Ready in ${((Date.now() - t0) / 1000).toFixed(0)} s (${agents.length} agent processes)`,
  );
  return agents;
}

async function leaseFleetCell<P>(
  deps: LeaseFleetDeps<P>,
  p: P,
  agents: FleetAgent[],
  opts: LeaseFleetOptions,
): Promise<LeaseFleetCell> {
  const { log } = deps;
  const t0 = Date.now();
  const fates: AgentFate[] = agents.map((a) => ({ pid: a.pid, maxRssMiB: rssMiB(a.pid) }));
  const exited = new Set<number>();
  // Exits after the window (the plane's teardown stops the agents) are not the row's.
  let ended = false;
  agents.forEach((a, i) => {
    const onExit = (code: number | null, signal: string | null) => {
      if (ended) return;
      exited.add(i);
      fates[i].exit = signal ?? `code ${code}`;
      fates[i].atSeconds = Math.round((Date.now() - t0) / 1000);
      fates[i].tail = a.output().split('\n').slice(-15).join('\n');
      log(
        `lease fleet: agent sim${i}- (pid ${a.pid}) exited (${fates[i].exit}):\n${fates[i].tail}`,
      );
    };
    if (a.child.exitCode !== null || a.child.signalCode !== null)
      onExit(a.child.exitCode, a.child.signalCode);
    else a.child.once('exit', onExit);
  });

  const flipped = new Set<string>();
  let falseNotReady = 0;
  let afterAgentExit = 0;
  let staleLease = 0;
  let freshLease = 0;
  const renewed = new Map<string, number>();
  let leaseWrites = 0;
  const leases = await deps.watchFrom(
    p,
    '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    (type, o) => {
      if (type === 'MODIFIED') leaseWrites++;
      const t = Date.parse((o.spec as { renewTime?: string } | undefined)?.renewTime ?? '');
      if (Number.isFinite(t)) renewed.set(o.metadata.name, t);
    },
  );
  const nodes = await deps.watchFrom(p, '/api/v1/nodes', (type, o) => {
    const ready = o.status?.conditions?.find((c) => c.type === 'Ready');
    if (type !== 'MODIFIED' || !ready || ready.status === 'True') return;
    if (flipped.has(o.metadata.name)) return;
    flipped.add(o.metadata.name);
    if (exited.has(agentIndexOf(o.metadata.name))) afterAgentExit++;
    else {
      falseNotReady++;
      if (Date.now() - (renewed.get(o.metadata.name) ?? 0) > GRACE_MS) staleLease++;
      else freshLease++;
    }
  });
  // A node that turns Ready again may flip again later: count each flip once per recovery.
  const recovered = await deps.watchFrom(p, '/api/v1/nodes', (type, o) => {
    const ready = o.status?.conditions?.find((c) => c.type === 'Ready');
    if (type === 'MODIFIED' && ready?.status === 'True') flipped.delete(o.metadata.name);
  });

  const agentTicks = () => agents.reduce((s, a) => s + procTicks(a.pid), 0);
  const cpu0 = deps.workerdCpuSeconds();
  const a0 = agentTicks();
  const perMinute: number[] = [];
  let lastWrites = 0;
  let lastAt = t0;
  const end = t0 + opts.minutes * 60_000;
  while (Date.now() < end) {
    await sleep(Math.min(5000, end - Date.now()));
    agents.forEach((a, i) => {
      if (!exited.has(i)) fates[i].maxRssMiB = Math.max(fates[i].maxRssMiB, rssMiB(a.pid));
    });
    if (Date.now() - lastAt >= 60_000 || Date.now() >= end) {
      const rate = (leaseWrites - lastWrites) / ((Date.now() - lastAt) / 1000);
      perMinute.push(rate);
      lastWrites = leaseWrites;
      lastAt = Date.now();
      log(
        `  ${((Date.now() - t0) / 60_000).toFixed(1)} min: ${rate.toFixed(0)} lease writes/s, ` +
          `${falseNotReady} false NotReady, ${exited.size}/${agents.length} agent(s) exited, ` +
          `workerd ${(deps.workerdCpuSeconds() - cpu0).toFixed(0)} CPU s, ` +
          `agent RSS max ${Math.max(...fates.map((f) => f.maxRssMiB)).toFixed(0)} MiB`,
      );
    }
  }
  ended = true;
  const cpuSeconds = deps.workerdCpuSeconds() - cpu0;
  const agentCpuSeconds = (agentTicks() - a0) / CLK_TCK;
  nodes.close();
  leases.close();
  recovered.close();
  return {
    nodes: opts.nodes,
    agents: agents.length,
    seconds: (Date.now() - t0) / 1000,
    falseNotReady,
    staleLease,
    freshLease,
    falseNotReadyNodes: [...flipped].filter((n) => !exited.has(agentIndexOf(n))).slice(0, 10),
    afterAgentExit,
    cpuSeconds,
    agentCpuSeconds,
    leaseWrites,
    perMinute,
    fates,
  };
}

/** The row's table and its line for the closing targets table. */
export function printLeaseFleet(
  c: LeaseFleetCell,
  table: (head: string[], rows: (string | number)[][]) => string,
): void {
  console.log(
    `== (e) ${c.nodes} simulated nodes renewing leases in ${c.agents} agent process(es) (a NotReady while its agent lives is false) ==`,
  );
  console.log(
    table(
      [
        'nodes',
        'seconds',
        'false NotReady',
        'of which lease stale / fresh',
        'first such nodes',
        'NotReady after agent exit',
        'lease writes/s',
        'lease writes/s per minute',
        'workerd CPU s',
        'workerd cores',
        'agents CPU s',
      ],
      [
        [
          c.nodes,
          c.seconds.toFixed(0),
          c.falseNotReady,
          `${c.staleLease} / ${c.freshLease}`,
          c.falseNotReadyNodes.join(' ') || '-',
          c.afterAgentExit,
          (c.leaseWrites / c.seconds).toFixed(1),
          c.perMinute.map((r) => r.toFixed(0)).join(' '),
          c.cpuSeconds.toFixed(1),
          (c.cpuSeconds / c.seconds).toFixed(2),
          c.agentCpuSeconds.toFixed(1),
        ],
      ],
    ),
  );
  const dead = c.fates.filter((f) => f.exit);
  for (const f of dead)
    console.log(`agent pid ${f.pid} exited (${f.exit}) after ${f.atSeconds} s:\n${f.tail ?? ''}`);
  console.log(
    `agent processes: ${c.agents - dead.length}/${c.agents} alive at the end; max RSS ${c.fates.map((f) => f.maxRssMiB.toFixed(0)).join(', ')} MiB`,
  );
}

export function leaseFleetTarget(c: LeaseFleetCell): {
  figure: string;
  measured: string;
  target: string;
} {
  const dead = c.fates.filter((f) => f.exit).length;
  return {
    figure: `${c.nodes.toLocaleString('en')} simulated nodes renewing leases for ${(c.seconds / 60).toFixed(0)} min`,
    measured:
      `${c.falseNotReady} false NotReady (${c.staleLease} with no renewal through for the grace), control-plane CPU ${c.cpuSeconds.toFixed(0)} s ` +
      `(${(c.cpuSeconds / c.seconds).toFixed(2)} cores), ${(c.leaseWrites / c.seconds).toFixed(0)} lease writes/s` +
      (dead ? `; ${dead} agent process(es) exited` : ''),
    target: '0 false NotReady, CPU reported',
  };
}
