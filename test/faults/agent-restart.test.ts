// Fault lane: every agent restarts at once while 50 pods run on process-runtime nodes (real
// processes on their own loopback addresses). Once gracefully (SIGTERM: pods keep running and are
// adopted), once as a crash (SIGKILL of every agent at the same moment). No pod is restarted
// needlessly: same pod UIDs, same container IDs, restart counts and start times, and the same
// container processes (PID and kernel start time); none is lost and none is added.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  processAlive,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';
import {
  eventually,
  killRecordedContainers,
  randomSlots,
  sleep,
  startAgent,
  stopAgents,
  type AgentProcess,
} from '../agent/helpers';
import { apply, deployment, getList, isReady, type KObj } from '../helpers/control-plane';

const PODS = 50;
const AGENTS = 3;

let c: Cluster;
const nodes = randomSlots(AGENTS).map((s, i) => ({ name: `proc-${i + 1}`, ...s, state: '' }));
let agents: AgentProcess[] = [];

const agentArgs = (n: (typeof nodes)[number]) => [
  '--runtime',
  'process',
  '--name',
  n.name,
  '--address',
  n.address,
  '--pod-cidr',
  n.podCidr,
  '--state',
  n.state,
];

beforeAll(async () => {
  c = await startCluster({ partitions: 4 });
  const root = tempDir('edgeplane-fault-agents-');
  for (const n of nodes) n.state = path.join(root, n.name);
  agents = await Promise.all(nodes.map((n) => startAgent(c, agentArgs(n))));
}, 180_000);

afterAll(async () => {
  await stopAgents();
  // The agents run without --stop-pods-on-exit, so their containers are stopped here, by PID.
  for (const n of nodes) if (n.state && fs.existsSync(n.state)) killRecordedContainers(n.state);
  await cleanupClusters();
}, 120_000);

interface Seen {
  uid: string;
  node: string;
  containerID: string;
  restartCount: number;
  startedAt: string;
  pid: number;
  startTicks: string;
}

/** The kernel's start time of a process (field 22 of /proc/PID/stat), to tell it from a reused PID. */
function startTicks(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Every running pod of the Deployment with its container's status and its process from the runtime's records. */
async function snapshot(): Promise<Map<string, Seen>> {
  const pods = (
    await getList(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dsleepers')
  ).filter((p: KObj) => !p.metadata.deletionTimestamp);
  const out = new Map<string, Seen>();
  for (const p of pods) {
    const node = nodes.find((n) => n.name === p.spec.nodeName);
    const cs = p.status?.containerStatuses?.[0];
    if (!node || !cs?.state?.running)
      throw new Error(
        `pod ${p.metadata.name} is not running on one of our nodes: ${JSON.stringify(p.status)}`,
      );
    const dir = path.join(node.state, 'process', 'pods', p.metadata.uid!, 'containers');
    const records = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map(
        (f) =>
          JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
            pid: number;
            startTicks: string;
            state: string;
          },
      )
      .filter((r) => r.state === 'running');
    if (records.length !== 1)
      throw new Error(`pod ${p.metadata.name}: ${records.length} running container records`);
    out.set(p.metadata.name, {
      uid: p.metadata.uid!,
      node: node.name,
      containerID: cs.containerID,
      restartCount: cs.restartCount,
      startedAt: cs.state.running.startedAt,
      pid: records[0].pid,
      startTicks: String(records[0].startTicks),
    });
  }
  return out;
}

/** Live processes whose HOME lies in one of our agents' state folders: every container process. */
function containerProcesses(): number[] {
  const prefixes = nodes.map((n) => `HOME=${path.resolve(n.state)}/`);
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const env = fs.readFileSync(`/proc/${e}/environ`, 'utf8').split('\0');
      if (env.some((v) => prefixes.some((p) => v.startsWith(p))) && processAlive(Number(e)))
        out.push(Number(e));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

async function allReady(): Promise<KObj[]> {
  return eventually(
    `${PODS} ready sleepers`,
    async () => {
      const pods = (
        await getList(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dsleepers')
      ).filter((p: KObj) => !p.metadata.deletionTimestamp);
      if (pods.length === PODS && pods.every(isReady)) return pods;
      // Said when it times out: how far it got.
      const bound = pods.filter((p) => p.spec.nodeName).length;
      throw new Error(`${pods.length} pods, ${bound} bound, ${pods.filter(isReady).length} ready`);
    },
    180_000,
    500,
  );
}

function compare(before: Map<string, Seen>, after: Map<string, Seen>): string[] {
  const diffs: string[] = [];
  for (const [name, b] of before) {
    const a = after.get(name);
    if (!a) diffs.push(`${name}: lost`);
    else if (JSON.stringify(a) !== JSON.stringify(b))
      diffs.push(`${name}: ${JSON.stringify(b)} -> ${JSON.stringify(a)}`);
  }
  for (const name of after.keys()) if (!before.has(name)) diffs.push(`${name}: new pod`);
  return diffs;
}

async function restartAll(how: 'SIGTERM' | 'SIGKILL'): Promise<number> {
  const t0 = Date.now();
  // Every agent at once: the signals go out together, then they start again together.
  await Promise.all(agents.map((a) => (how === 'SIGKILL' ? a.kill() : a.stop())));
  agents = await Promise.all(nodes.map((n) => startAgent(c, agentArgs(n))));
  return Date.now() - t0;
}

describe(`every agent restarts at once while ${PODS} pods run`, () => {
  it('no pod is restarted, replaced or lost, after a graceful restart and after a crash', async () => {
    const t0 = Date.now();
    const sleeper = deployment('sleepers', { replicas: PODS, image: 'busybox' }) as {
      spec: { template: { spec: { containers: { command?: string[] }[] } } };
    };
    sleeper.spec.template.spec.containers[0].command = ['sleep', '3600'];
    await apply(c, sleeper);
    await allReady();
    const before = await snapshot();
    expect(before.size).toBe(PODS);
    expect(
      new Set([...before.values()].map((s) => s.node)).size,
      'pods spread over every node',
    ).toBe(AGENTS);
    for (const s of before.values())
      expect(startTicks(s.pid), `container process ${s.pid}`).toBe(s.startTicks);
    expect(containerProcesses().sort()).toEqual([...before.values()].map((s) => s.pid).sort());

    const timings: string[] = [];
    for (const how of ['SIGTERM', 'SIGKILL'] as const) {
      const took = await restartAll(how);
      // Long enough for the agents to relist, sync every pod and report status at least once.
      await sleep(10_000);
      await allReady();
      const after = await snapshot();
      expect(compare(before, after), `after every agent got ${how} and started again`).toEqual([]);
      for (const s of after.values())
        expect(startTicks(s.pid), `container process ${s.pid} after ${how}`).toBe(s.startTicks);
      expect(containerProcesses().sort(), `container processes after ${how}`).toEqual(
        [...before.values()].map((s) => s.pid).sort(),
      );
      timings.push(`${how}: agents back in ${took} ms`);
    }
    const ev = await c.kubectl([
      'get',
      'events',
      '--field-selector',
      'reason=Killing',
      '--no-headers',
    ]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout.trim(), 'no container was killed').toBe('');
    console.log(
      `agent restarts with ${PODS} pods on ${AGENTS} process nodes: ${timings.join('; ')}; whole scenario ${Date.now() - t0} ms`,
    );
  }, 400_000);
});
