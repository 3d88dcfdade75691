// End to end: DaemonSets with the real kubectl on simulated nodes (the number of nodes matters here):
// one pod per node, a tainted node skipped unless tolerated, a joining node gets its pod within 2 s of
// turning Ready, a rolling update that changes one node at a time, rollout history/undo, and
// `kubectl drain --ignore-daemonsets` leaving the daemon pod where it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  eventually,
  getJson,
  isReady,
  pods,
  sleep,
  startFakeNodes,
  stopAgents,
  type KObj,
} from '../helpers/control-plane';

let c: Cluster;
let nodes: string[];

function daemonSet(name: string, podSpec: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'c', image: 'registry.example/agent:1' }],
          ...podSpec,
        },
      },
    },
  };
}

async function kubectl(args: string[]): Promise<string> {
  const out = await c.kubectl(args, { timeoutMs: 60_000 });
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
}

const nodesOf = (list: KObj[]) => list.map((p) => p.spec?.nodeName as string).sort();

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '0'] });
  nodes = (await startFakeNodes(c, { prefix: 'ds-', nodes: 3, address: '127.0.3.1' })).names;
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

describe('DaemonSet', () => {
  it('runs one pod on each of 3 nodes; kubectl rollout status and get ds agree', async () => {
    const r = await apply(c, daemonSet('agent'));
    expect(r.code, r.stderr).toBe(0);
    await kubectl(['rollout', 'status', 'ds/agent', '--timeout=30s']);
    const list = await pods(c, 'app=agent');
    expect(nodesOf(list)).toEqual(nodes);
    const table = await kubectl(['get', 'ds', 'agent']);
    expect(table).toMatch(
      /NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/,
    );
    expect(table).toMatch(/agent\s+3\s+3\s+3\s+3\s+3\s+<none>/);
    // Each pod is pinned to its node by required node affinity and tolerates node problems.
    const spec = list[0].spec as Record<string, any>;
    expect(
      spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]
        .matchFields[0],
    ).toMatchObject({ key: 'metadata.name', operator: 'In' });
    expect(spec.tolerations.map((t: { key: string }) => t.key)).toContain(
      'node.kubernetes.io/unreachable',
    );
  });

  it('skips a node with a NoSchedule taint it does not tolerate, and runs there when it tolerates it', async () => {
    await kubectl(['taint', 'node', nodes[2], 'dedicated=gpu:NoSchedule']);
    await apply(
      c,
      daemonSet('picky'),
      daemonSet('tolerant', {
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      }),
    );
    await kubectl(['rollout', 'status', 'ds/picky', '--timeout=30s']);
    await kubectl(['rollout', 'status', 'ds/tolerant', '--timeout=30s']);
    expect(nodesOf(await pods(c, 'app=picky'))).toEqual(nodes.slice(0, 2));
    expect(nodesOf(await pods(c, 'app=tolerant'))).toEqual(nodes);
    const ds = await getJson(c, '/apis/apps/v1/namespaces/default/daemonsets/picky');
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2 });
    // The existing DaemonSet keeps its pod there: NoSchedule does not evict.
    expect(nodesOf(await pods(c, 'app=agent'))).toEqual(nodes);
    await kubectl(['delete', 'ds', 'picky', 'tolerant']);
    await kubectl(['taint', 'node', nodes[2], 'dedicated-']);
  });

  it('gives a 4th node its pod within 2 s of the node turning Ready', async () => {
    const joined = await startFakeNodes(c, { prefix: 'late-', nodes: 1, address: '127.0.3.9' });
    const name = joined.names[0];
    const node = await getJson(c, `/api/v1/nodes/${name}`);
    const readyAt = Date.parse(
      node.status!.conditions.find((x: { type: string }) => x.type === 'Ready').lastTransitionTime,
    );
    const pod = await eventually(
      `a Ready agent pod on ${name}`,
      async () => (await pods(c, 'app=agent')).find((p) => p.spec?.nodeName === name && isReady(p)),
      10_000,
      50,
    );
    const bound = Date.now();
    const created = Date.parse(pod.metadata.creationTimestamp!);
    // Times have second resolution: the pod was created within 2 s of Ready, and was running soon after.
    expect(created - readyAt, 'pod created after the node turned Ready').toBeLessThanOrEqual(2000);
    expect(bound - readyAt, 'pod bound and ready after the node turned Ready').toBeLessThan(4000);
    nodes = [...nodes, name].sort();
  });

  it('rolls an update one node at a time, with history and undo', async () => {
    const before = new Set((await pods(c, 'app=agent')).map((p) => p.metadata.uid));
    await kubectl(['set', 'image', 'ds/agent', 'c=registry.example/agent:2']);
    // Sample the pods while the rollout runs: never more than one node without a Ready pod.
    let worst = 0;
    const until = Date.now() + 30_000;
    for (;;) {
      const list = await pods(c, 'app=agent', 'default', true);
      const live = list.filter((p) => !p.metadata.deletionTimestamp);
      const readyNodes = new Set(live.filter(isReady).map((p) => p.spec?.nodeName));
      worst = Math.max(worst, nodes.filter((n) => !readyNodes.has(n)).length);
      const updated = live.filter(
        (p) =>
          (p.spec as { containers: { image: string }[] }).containers[0].image.endsWith(':2') &&
          isReady(p),
      );
      if (updated.length === nodes.length && live.length === nodes.length) break;
      if (Date.now() > until) throw new Error(`rollout did not finish: ${updated.length} updated`);
      await sleep(50);
    }
    expect(worst).toBeLessThanOrEqual(1);
    const after = await pods(c, 'app=agent');
    expect(after.every((p) => !before.has(p.metadata.uid))).toBe(true);
    await kubectl(['rollout', 'status', 'ds/agent', '--timeout=30s']);
    const history = await kubectl(['rollout', 'history', 'ds/agent']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    const revs = await kubectl(['get', 'controllerrevisions', '-l', 'app=agent']);
    expect(revs).toMatch(/NAME\s+CONTROLLER\s+REVISION\s+AGE/);
    expect(revs).toContain('daemonset.apps/agent');
    await kubectl(['rollout', 'undo', 'ds/agent']);
    await eventually(
      'every agent pod back on image 1',
      async () => {
        const list = await pods(c, 'app=agent');
        return list.length === nodes.length &&
          list.every(
            (p) =>
              (p.spec as { containers: { image: string }[] }).containers[0].image.endsWith(':1') &&
              isReady(p),
          )
          ? list
          : undefined;
      },
      30_000,
      100,
    );
  });

  it('kubectl drain --ignore-daemonsets leaves the daemon pod on the node', async () => {
    const target = nodes[0];
    const mine = (await pods(c, 'app=agent')).find((p) => p.spec?.nodeName === target)!;
    const refused = await c.kubectl(['drain', target, '--timeout=20s']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('DaemonSet-managed Pods');
    const out = await c.kubectl(['drain', target, '--ignore-daemonsets', '--timeout=20s'], {
      timeoutMs: 30_000,
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr + out.stdout).toContain('ignoring DaemonSet-managed Pods');
    await sleep(500);
    const still = (await pods(c, 'app=agent')).find((p) => p.spec?.nodeName === target);
    expect(still?.metadata.uid).toBe(mine.metadata.uid);
  });
});
