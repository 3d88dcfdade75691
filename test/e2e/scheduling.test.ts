// End to end: the scheduler with the real kubectl and simulated nodes: spreading by default, bin packing
// under --scheduler-strategy most-allocated, FailedScheduling for a pod that fits nowhere, cordon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  deployment,
  eventually,
  getJson,
  getList,
  pendingAlarms,
  perNode,
  pods,
  sleep,
  startFakeNodes,
  stopAgents,
  watch,
  type KObj,
} from '../helpers/control-plane';

let spread: Cluster;
let packed: Cluster;
let spreadNodes: string[];
let packedNodes: string[];

beforeAll(async () => {
  [spread, packed] = await Promise.all([
    startCluster({ extraArgs: ['--agents', '0'] }),
    startCluster({ extraArgs: ['--agents', '0', '--scheduler-strategy', 'most-allocated'] }),
  ]);
  const [a, b] = await Promise.all([
    startFakeNodes(spread, {
      prefix: 'spread-',
      nodes: 3,
      address: '127.0.2.1',
      cpu: '2',
      memory: '4Gi',
    }),
    startFakeNodes(packed, {
      prefix: 'packed-',
      nodes: 3,
      address: '127.0.2.11',
      cpu: '2',
      memory: '4Gi',
    }),
  ]);
  spreadNodes = a.names;
  packedNodes = b.names;
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

const sortedCounts = (m: Record<string, number>) => Object.values(m).sort((x, y) => y - x);

/** Waits for `n` bound pods of app=<name>, recording for each how long it took from creation to its binding (from a pod watch). */
async function boundWithLatency(
  c: Cluster,
  name: string,
  n: number,
  start: () => Promise<void>,
): Promise<{ list: KObj[]; latencies: number[] }> {
  const rv = (
    await getJson<{ metadata: { resourceVersion: string } }>(
      c,
      '/api/v1/namespaces/default/pods?limit=1',
    )
  ).metadata.resourceVersion;
  const w = await watch(c, `/api/v1/namespaces/default/pods?labelSelector=app%3D${name}`, rv);
  try {
    await start();
    const list = await eventually(
      `${n} bound pods of ${name}`,
      async () => {
        const l = await pods(c, `app=${name}`);
        return l.length === n && l.every((p) => p.spec?.nodeName) ? l : undefined;
      },
      20_000,
      100,
    );
    // The watch may trail the list a little: wait until it has shown every binding too.
    const listed = Date.now();
    await w.waitFor(
      () =>
        new Set(w.events.filter((e) => e.object.spec?.nodeName).map((e) => e.object.metadata.uid))
          .size >= n,
      15_000,
    );
    const trail = Date.now() - listed;
    expect(trail, `the pod watch showed the bindings ${trail} ms after a list did`).toBeLessThan(
      2000,
    );
    const created = new Map<string, number>();
    const bound = new Map<string, number>();
    for (const e of w.events) {
      const uid = e.object.metadata.uid!;
      if (e.type === 'ADDED' && !created.has(uid)) created.set(uid, e.at);
      if (e.object.spec?.nodeName && !bound.has(uid)) bound.set(uid, e.at);
    }
    const latencies = [...bound].map(([uid, at]) => at - (created.get(uid) ?? at));
    return { list, latencies };
  } finally {
    w.stop();
  }
}

describe('default scheduler (LeastAllocated plus spreading)', () => {
  it('kubectl rollout status reports a 3-replica Deployment rolled out, its pods bound one per node', async () => {
    const create = await spread.kubectl([
      'create',
      'deployment',
      'web',
      '--image=registry.example/web:1',
      '--replicas=3',
    ]);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('deployment.apps/web created');
    const status = await spread.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const wide = await spread.kubectl([
      'get',
      'pods',
      '-l',
      'app=web',
      '-o',
      'wide',
      '--no-headers',
    ]);
    expect(wide.code, wide.stderr).toBe(0);
    const rows = wide.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.slice(1, 3)).toEqual(['1/1', 'Running']);
    expect(new Set(rows.map((r) => r[6]))).toEqual(new Set(spreadNodes));
    const del = await spread.kubectl(['delete', 'deployment', 'web']);
    expect(del.code, del.stderr).toBe(0);
  });

  it('spreads 6 pods of 500m over 3 nodes of 2 CPU, 2 per node, each bound within 1 s', async () => {
    const { list, latencies } = await boundWithLatency(spread, 'spread6', 6, async () => {
      await apply(spread, deployment('spread6', { replicas: 6, cpu: '500m' }));
    });
    console.log(
      `default strategy: pods per node ${JSON.stringify(perNode(list, spreadNodes))}; creation to binding ${latencies.map((l) => `${l} ms`).join(', ')}`,
    );
    expect(perNode(list, spreadNodes)).toEqual(Object.fromEntries(spreadNodes.map((n) => [n, 2])));
    expect(latencies).toHaveLength(6);
    for (const l of latencies) expect(l).toBeLessThan(1000);
  });

  it('keeps a pod that fits nowhere Pending with a FailedScheduling event saying Insufficient cpu, within 2 s', async () => {
    const t0 = Date.now();
    const run = await spread.kubectl([
      'run',
      'huge',
      '--image=registry.example/huge:1',
      '--restart=Never',
      '--overrides',
      JSON.stringify({
        spec: {
          containers: [
            {
              name: 'huge',
              image: 'registry.example/huge:1',
              resources: { requests: { cpu: '5' } },
            },
          ],
        },
      }),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const event = await eventually(
      'a FailedScheduling event for pod huge',
      async () => {
        const evs = await getList(
          spread,
          '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dhuge',
        );
        return evs.find(
          (e) => (e as unknown as { reason: string }).reason === 'FailedScheduling',
        ) as unknown as
          { message: string; type: string; source?: { component?: string } } | undefined;
      },
      10_000,
      100,
    );
    const elapsed = Date.now() - t0;
    console.log(`FailedScheduling event seen ${elapsed} ms after kubectl run: ${event.message}`);
    expect(elapsed).toBeLessThan(2000);
    expect(event.type).toBe('Warning');
    expect(event.message).toMatch(/^0\/3 nodes are available: 3 Insufficient cpu\./);
    const get = await spread.kubectl(['get', 'pod', 'huge', '--no-headers']);
    expect(get.stdout).toMatch(/^huge\s+0\/1\s+Pending\s/);
    const pod = await getJson(spread, '/api/v1/namespaces/default/pods/huge');
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }),
      ]),
    );
    const describe = await spread.kubectl(['describe', 'pod', 'huge']);
    expect(describe.stdout).toMatch(
      /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu/,
    );
  });

  it('leaves the scheduler with no alarm pending once the unschedulable pod is deleted', async () => {
    const del = await spread.kubectl(['delete', 'pod', 'huge']);
    expect(del.code, del.stderr).toBe(0);
    const alarms = await eventually(
      'no scheduler alarm',
      async () => {
        const a = await pendingAlarms(spread.stateDir);
        return a.scheduler === null ? a : undefined;
      },
      40_000,
      500,
    );
    console.log(
      `pending alarms after convergence: scheduler ${alarms.scheduler}, controllers ${alarms.controllers === null ? 'none' : `in ${alarms.controllers - Date.now()} ms`}`,
    );
  }, 60_000);

  it('keeps a pod with schedulingGates Pending as SchedulingGated until its gate is removed, then binds it', async () => {
    await apply(spread, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gated' },
      spec: {
        schedulingGates: [{ name: 'example.com/wait' }],
        containers: [{ name: 'app', image: 'registry.example/app:1' }],
      },
    });
    await sleep(1500);
    const pod = await getJson(spread, '/api/v1/namespaces/default/pods/gated');
    expect(pod.spec?.nodeName, 'a gated pod must not be bound').toBeUndefined();
    expect(pod.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'PodScheduled',
          status: 'False',
          reason: 'SchedulingGated',
        }),
      ]),
    );
    const get = await spread.kubectl(['get', 'pod', 'gated', '--no-headers']);
    expect(get.stdout).toMatch(/^gated\s+0\/1\s+SchedulingGated\s/);
    const ungate = await spread.kubectl([
      'patch',
      'pod',
      'gated',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/schedulingGates"}]',
    ]);
    expect(ungate.code, ungate.stderr).toBe(0);
    const bound = await eventually(
      'the ungated pod bound',
      async () => (await getJson(spread, '/api/v1/namespaces/default/pods/gated')).spec?.nodeName,
      2_000,
      100,
    );
    expect(spreadNodes).toContain(bound);
    const del = await spread.kubectl(['delete', 'pod', 'gated']);
    expect(del.code, del.stderr).toBe(0);
  });

  it('kubectl cordon shows SchedulingDisabled and new pods avoid the node until uncordon', async () => {
    const target = spreadNodes[0];
    const cordon = await spread.kubectl(['cordon', target]);
    expect(cordon.code, cordon.stderr).toBe(0);
    expect(cordon.stdout).toContain(`node/${target} cordoned`);
    const nodes = await spread.kubectl(['get', 'nodes', '--no-headers']);
    expect(nodes.stdout).toMatch(new RegExp(`^${target}\\s+Ready,SchedulingDisabled\\s`, 'm'));
    await apply(spread, deployment('avoid', { replicas: 4 }));
    const list = await eventually(
      '4 bound pods of avoid',
      async () => {
        const l = await pods(spread, 'app=avoid');
        return l.length === 4 && l.every((p) => p.spec?.nodeName) ? l : undefined;
      },
      10_000,
      100,
    );
    expect(perNode(list, spreadNodes)[target]).toBe(0);
    const uncordon = await spread.kubectl(['uncordon', target]);
    expect(uncordon.code, uncordon.stderr).toBe(0);
    expect(uncordon.stdout).toContain(`node/${target} uncordoned`);
    const after = await spread.kubectl(['get', 'node', target, '--no-headers']);
    expect(after.stdout).toMatch(new RegExp(`^${target}\\s+Ready\\s`));
    const node = await getJson(spread, `/api/v1/nodes/${target}`);
    expect(node.spec?.unschedulable).toBeUndefined();
    expect((node.spec?.taints ?? []).map((t: { key: string }) => t.key)).not.toContain(
      'node.kubernetes.io/unschedulable',
    );
  });
});

describe('--scheduler-strategy most-allocated (bin packing)', () => {
  let hugeAt = 0;

  beforeAll(async () => {
    // A pod that fits nowhere, left alone in this cluster: the last test checks the scheduler backs off and stops.
    const run = await packed.kubectl([
      'run',
      'huge',
      '--image=registry.example/huge:1',
      '--restart=Never',
      '--overrides',
      JSON.stringify({
        spec: {
          containers: [
            {
              name: 'huge',
              image: 'registry.example/huge:1',
              resources: { requests: { cpu: '5' } },
            },
          ],
        },
      }),
    ]);
    expect(run.code, run.stderr).toBe(0);
    hugeAt = Date.now();
  });

  it('fills nodes in turn: 6 pods of 500m on 3 nodes of 2 CPU land 4, 2 and 0', async () => {
    const { list, latencies } = await boundWithLatency(packed, 'pack', 6, async () => {
      await apply(packed, deployment('pack', { replicas: 6, cpu: '500m' }));
    });
    const counts = perNode(list, packedNodes);
    console.log(
      `most-allocated: pods per node ${JSON.stringify(counts)}; creation to binding ${latencies.map((l) => `${l} ms`).join(', ')}`,
    );
    expect(sortedCounts(counts)).toEqual([4, 2, 0]);
    for (const l of latencies) expect(l).toBeLessThan(1000);
  });

  it('scaling to 9 fills the second node before the third gets any', async () => {
    const before = perNode(await pods(packed, 'app=pack'), packedNodes);
    const scale = await packed.kubectl(['scale', 'deployment/pack', '--replicas=9']);
    expect(scale.code, scale.stderr).toBe(0);
    const list = await eventually(
      '9 bound pods of pack',
      async () => {
        const l = await pods(packed, 'app=pack');
        return l.length === 9 && l.every((p) => p.spec?.nodeName) ? l : undefined;
      },
      10_000,
      100,
    );
    const counts = perNode(list, packedNodes);
    console.log(`most-allocated after scaling to 9: ${JSON.stringify(counts)}`);
    expect(sortedCounts(counts)).toEqual([4, 4, 1]);
    // The nodes that were full or half full stay the fullest: the third node is the one that was empty.
    const emptyBefore = packedNodes.find((n) => before[n] === 0)!;
    expect(counts[emptyBefore]).toBe(1);
    const status = await packed.kubectl(['rollout', 'status', 'deployment/pack', '--timeout=30s']);
    expect(status.code, status.stderr).toBe(0);
  });

  it('an unschedulable pod in an otherwise idle cluster stops waking the scheduler once its backoff (1 s doubling to 32 s) is spent', async () => {
    // Backoff 1+2+4+8+16+32 s: the last retry comes about 63 s after creation; then the scheduler
    // must stay quiet (cron, every 60 s, may retry once more and find the backoff spent).
    const QUIET_MS = 8_000;
    const seen: string[] = [];
    let quietSince: number | undefined;
    const deadline = hugeAt + 85_000;
    for (;;) {
      const a = await pendingAlarms(packed.stateDir);
      const now = Date.now();
      if (a.scheduler === null) quietSince ??= now;
      else {
        quietSince = undefined;
        const line = `+${((a.scheduler - hugeAt) / 1000).toFixed(0)}s`;
        if (seen[seen.length - 1] !== line) seen.push(line);
      }
      if (quietSince !== undefined && now - quietSince >= QUIET_MS) break;
      if (now > deadline) break;
      await sleep(250);
    }
    const pod = await getJson(packed, '/api/v1/namespaces/default/pods/huge');
    const events = await getList(
      packed,
      '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dhuge',
    );
    const count = (
      events.find(
        (e) => (e as unknown as { reason: string }).reason === 'FailedScheduling',
      ) as unknown as { count?: number } | undefined
    )?.count;
    console.log(
      `unschedulable pod: scheduler alarms due at ${seen.join(', ')} after its creation; FailedScheduling count ${count}; quiet ${quietSince ? `from +${((quietSince - hugeAt) / 1000).toFixed(0)}s` : 'never'}`,
    );
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(
      quietSince,
      `the scheduler kept waking (alarms due ${seen.join(', ')} after the pod's creation)`,
    ).toBeDefined();
  }, 100_000);
});
