// End to end: workloads heal themselves on simulated nodes: a deleted pod is replaced, kubectl drain moves
// pods off a node, and a node whose heartbeats stop goes NotReady and has its pods recreated elsewhere
// (short settings: --node-monitor-grace-period 15s --default-toleration-seconds 5). The grace period
// stays above the 10 s lease renewal: with 6 s, healthy nodes turn NotReady for a moment between
// two renewals (Kubernetes would do the same), and their pods are marked not ready each time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  deployment,
  eventually,
  getJson,
  isReady,
  perNode,
  pods,
  startFakeNodes,
  stopAgents,
  watch,
  type AgentProcess,
  type KObj,
} from '../helpers/control-plane';

let c: Cluster;
/** Two nodes in one agent process, and one in a process of its own whose heartbeats the last test stops. */
let steady: string[];
let lone: string;
let loneAgent: AgentProcess;

beforeAll(async () => {
  c = await startCluster({
    extraArgs: [
      '--agents',
      '0',
      '--node-monitor-grace-period',
      '15s',
      '--default-toleration-seconds',
      '5',
    ],
  });
  const [a, b] = await Promise.all([
    startFakeNodes(c, {
      prefix: 'steady-',
      nodes: 2,
      address: '127.0.4.1',
      cpu: '4',
      memory: '8Gi',
    }),
    startFakeNodes(c, {
      prefix: 'lone-',
      nodes: 1,
      address: '127.0.4.11',
      cpu: '4',
      memory: '8Gi',
    }),
  ]);
  steady = a.names;
  lone = b.names[0];
  loneAgent = b.agent;
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

const allNodes = () => [...steady, lone];

async function readyPods(selector: string, n: number, timeoutMs = 20_000): Promise<KObj[]> {
  return eventually(
    `${n} ready pods of ${selector}`,
    async () => {
      const l = await pods(c, selector);
      return l.length === n && l.every(isReady) ? l : undefined;
    },
    timeoutMs,
    100,
  );
}

describe('self-healing', () => {
  it('kubectl delete pod brings a replacement, and the Deployment shows it ready within 2 s of the agent reporting it Ready', async () => {
    await apply(c, deployment('heal', { replicas: 3 }));
    const status = await c.kubectl(['rollout', 'status', 'deployment/heal', '--timeout=30s']);
    expect(status.code, status.stderr).toBe(0);
    const podList = await getJson<{ metadata: { resourceVersion: string }; items: KObj[] }>(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=app%3Dheal',
    );
    const deployList = await getJson<{ metadata: { resourceVersion: string } }>(
      c,
      '/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dheal',
    );
    const old = new Set(podList.items.map((p) => p.metadata.uid));
    const victim = podList.items[0].metadata.name;
    const podWatch = await watch(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=app%3Dheal',
      podList.metadata.resourceVersion,
    );
    const deployWatch = await watch(
      c,
      '/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dheal',
      deployList.metadata.resourceVersion,
    );
    try {
      const t0 = Date.now();
      const del = await c.kubectl(['delete', 'pod', victim]);
      expect(del.code, del.stderr).toBe(0);
      expect(del.stdout).toContain(`pod "${victim}" deleted`);
      const created = await podWatch.waitFor(
        (e) => e.type === 'ADDED' && !old.has(e.object.metadata.uid),
        10_000,
      );
      const ready = await podWatch.waitFor(
        (e) => !old.has(e.object.metadata.uid) && isReady(e.object),
        10_000,
      );
      const shown = await deployWatch.waitFor(
        (e) =>
          e.at >= ready.at &&
          e.object.status?.readyReplicas === 3 &&
          e.object.status?.availableReplicas === 3,
        10_000,
      );
      const dipped = deployWatch.events.some(
        (e) => e.at <= ready.at && (e.object.status?.readyReplicas ?? 0) < 3,
      );
      console.log(
        `delete pod: replacement created ${created.at - t0} ms after kubectl delete, reported Ready by the agent ${ready.at - t0} ms; ` +
          `Deployment status readyReplicas=3 ${shown.at - ready.at} ms after that (status showed the dip to 2: ${dipped})`,
      );
      expect(shown.at - ready.at).toBeLessThan(2000);
      expect(ready.object.spec?.nodeName).toBeTruthy();
    } finally {
      podWatch.stop();
      deployWatch.stop();
    }
    const list = await readyPods('app=heal', 3);
    expect(list.map((p) => p.metadata.name)).not.toContain(victim);
    const get = await c.kubectl(['get', 'deployment', 'heal', '--no-headers']);
    expect(get.stdout).toMatch(/^heal\s+3\/3\s+3\s+3\s/);
  });

  it("kubectl drain --ignore-daemonsets --delete-emptydir-data evicts a Deployment's pods from the node and they run elsewhere", async () => {
    await apply(c, deployment('movable', { replicas: 6 }));
    const status = await c.kubectl(['rollout', 'status', 'deployment/movable', '--timeout=30s']);
    expect(status.code, status.stderr).toBe(0);
    const target = steady[0];
    const before = perNode(await pods(c, 'app=movable'), allNodes());
    expect(before[target]).toBeGreaterThan(0);
    const healBefore = await podsOn(target, 'app=heal');
    const drain = await c.kubectl([
      'drain',
      target,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=60s',
    ]);
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain(`node/${target} cordoned`);
    expect(drain.stdout.match(/^pod\/\S+ evicted$/gm)?.length).toBe(before[target] + healBefore);
    expect(drain.stdout).toContain(`node/${target} drained`);
    const after = perNode(await readyPods('app=movable', 6), allNodes());
    console.log(
      `drain ${target}: movable pods per node before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
    );
    expect(after[target]).toBe(0);
    expect((await pods(c, 'app=heal')).filter((p) => p.spec?.nodeName === target)).toHaveLength(0);
    const nodes = await c.kubectl(['get', 'node', target, '--no-headers']);
    expect(nodes.stdout).toMatch(new RegExp(`^${target}\\s+Ready,SchedulingDisabled\\s`));
    const uncordon = await c.kubectl(['uncordon', target]);
    expect(uncordon.code, uncordon.stderr).toBe(0);
  });

  it('a node whose heartbeats stop turns NotReady (Unknown), is tainted unreachable, and its pods are recreated on the other nodes', async () => {
    const onLone = (await pods(c, 'app=movable')).filter((p) => p.spec?.nodeName === lone);
    expect(onLone.length).toBeGreaterThan(0);
    const nodeList = await getJson<{ metadata: { resourceVersion: string } }>(c, '/api/v1/nodes');
    const nodeWatch = await watch(c, '/api/v1/nodes', nodeList.metadata.resourceVersion);
    const t0 = Date.now();
    await loneAgent.kill();
    const node = await eventually(
      `${lone} Ready=Unknown`,
      async () => {
        const n = await getJson(c, `/api/v1/nodes/${lone}`);
        return n.status?.conditions?.find(
          (x: { type: string; status: string }) => x.type === 'Ready',
        )?.status === 'Unknown'
          ? n
          : undefined;
      },
      30_000,
      250,
    );
    const unknownAt = Date.now() - t0;
    const get = await c.kubectl(['get', 'nodes', '--no-headers']);
    expect(get.stdout).toMatch(new RegExp(`^${lone}\\s+NotReady\\s`, 'm'));
    for (const n of steady) expect(get.stdout).toMatch(new RegExp(`^${n}\\s+Ready\\s`, 'm'));
    expect(node.status.conditions.find((x: { type: string }) => x.type === 'Ready')).toMatchObject({
      reason: 'NodeStatusUnknown',
    });
    const tainted = await eventually(
      `${lone} tainted unreachable:NoExecute`,
      async () => {
        const n = await getJson(c, `/api/v1/nodes/${lone}`);
        return (n.spec?.taints ?? []).some(
          (t: { key: string; effect: string }) =>
            t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute',
        )
          ? n
          : undefined;
      },
      10_000,
      250,
    );
    expect(tainted).toBeDefined();
    const healed = await eventually(
      '6 ready movable pods, none on the silent node',
      async () => {
        const l = await pods(c, 'app=movable');
        return l.length === 6 && l.every((p) => isReady(p) && p.spec?.nodeName !== lone)
          ? l
          : undefined;
      },
      40_000,
      250,
    );
    const healedAt = Date.now() - t0;
    console.log(
      `heartbeats stopped: ${lone} Unknown after ${unknownAt} ms, its ${onLone.length} pods replaced on ${JSON.stringify(perNode(healed, steady))} after ${healedAt} ms`,
    );
    // The evicted pods are marked for deletion (or already removed) and no longer counted.
    for (const p of onLone) {
      const now = await c.fetch(`/api/v1/namespaces/default/pods/${p.metadata.name}`);
      if (now.status === 200) expect((await now.json()).metadata.deletionTimestamp).toBeTruthy();
      else expect(now.status).toBe(404);
    }
    const events = await c.kubectl([
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${onLone[0].metadata.name}`,
      '--no-headers',
    ]);
    expect(events.stdout).toMatch(
      /TaintManagerEviction\s+pod\/\S+\s+Marking for deletion Pod default\//,
    );
    const d = await c.kubectl(['get', 'deployment', 'movable', '--no-headers']);
    expect(d.stdout).toMatch(/^movable\s+6\/6\s+6\s+6\s/);
    nodeWatch.stop();
    const readyOf = (n: KObj) =>
      n.status?.conditions?.find((x: { type: string }) => x.type === 'Ready')?.status;
    const flaps = nodeWatch.events.filter(
      (e) => steady.includes(e.object.metadata.name) && readyOf(e.object) !== 'True',
    );
    expect(
      flaps.map((e) => `${e.object.metadata.name} Ready=${readyOf(e.object)}`),
      'the nodes that kept renewing stay Ready',
    ).toEqual([]);
  }, 90_000);
});

async function podsOn(node: string, selector: string): Promise<number> {
  return (await pods(c, selector)).filter((p) => p.spec?.nodeName === node).length;
}
