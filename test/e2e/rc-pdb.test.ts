// End to end with the real kubectl on simulated nodes: a ReplicationController created, listed and
// scaled (`kubectl get rc`, `kubectl scale rc`), and a PodDisruptionBudget (minAvailable 2 of 3)
// that makes `kubectl drain` evict one pod, meet 429 for the others, wait and retry as it does
// against Kubernetes, and finish once the replacements are ready elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  eventually,
  getJson,
  isReady,
  pods,
  startFakeNodes,
  stopAgents,
  type KObj,
} from '../helpers/control-plane';

let c: Cluster;
let nodes: string[];

async function kubectl(args: string[], timeoutMs = 60_000): Promise<string> {
  const out = await c.kubectl(args, { timeoutMs });
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
}

function rc(name: string, replicas: number): object {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name },
    spec: {
      replicas,
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'c', image: 'registry.example/web:1' }],
        },
      },
    },
  };
}

const readyPods = async (app: string) => (await pods(c, `app=${app}`)).filter(isReady);

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '0'] });
  nodes = (await startFakeNodes(c, { prefix: 'pdb-', nodes: 2, address: '127.0.5.1' })).names;
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

describe('ReplicationController', () => {
  it('kubectl creates, lists and scales one; its pods follow', async () => {
    await apply(c, rc('legacy', 2));
    await eventually('2 ready pods', async () => (await readyPods('legacy')).length === 2);
    const rcObj = await getJson<KObj>(
      c,
      '/api/v1/namespaces/default/replicationcontrollers/legacy',
    );
    expect(rcObj.spec.selector).toEqual({ app: 'legacy' });
    await eventually('status.readyReplicas 2', async () => {
      const r = await getJson<KObj>(c, '/api/v1/namespaces/default/replicationcontrollers/legacy');
      return r.status?.readyReplicas === 2 && r.status?.availableReplicas === 2;
    });
    const table = await kubectl(['get', 'rc', 'legacy', '-o', 'wide']);
    expect(table.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    expect(table.split('\n')[1]).toMatch(
      /^legacy\s+2\s+2\s+2\s+\S+\s+c\s+registry\.example\/web:1\s+app=legacy$/,
    );
    const described = await kubectl(['describe', 'rc', 'legacy']);
    expect(described).toMatch(/^Selector:\s+app=legacy$/m);
    expect(described).toMatch(/^Replicas:\s+2 current \/ 2 desired$/m);
    expect(described).toMatch(
      /^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m,
    );
    expect(await kubectl(['scale', 'rc', 'legacy', '--replicas=4'])).toMatch(
      /replicationcontroller\/legacy scaled/,
    );
    await eventually('4 ready pods', async () => (await readyPods('legacy')).length === 4);
    await kubectl(['scale', 'rc', 'legacy', '--replicas=1']);
    await eventually('1 pod left', async () => (await pods(c, 'app=legacy')).length === 1);
    await kubectl(['delete', 'rc', 'legacy']);
    // Its pods go with it (the garbage collector follows their ownerReferences).
    await eventually('no legacy pods', async () => (await pods(c, 'app=legacy')).length === 0);
  });
});

describe('PodDisruptionBudget', () => {
  it('kubectl create poddisruptionbudget (a protobuf body) stores the budget it describes', async () => {
    await kubectl([
      'create',
      'poddisruptionbudget',
      'gen',
      '--selector=app=gen',
      '--max-unavailable=30%',
    ]);
    const pdb = await getJson<KObj>(
      c,
      '/apis/policy/v1/namespaces/default/poddisruptionbudgets/gen',
    );
    expect(pdb.spec).toEqual({ maxUnavailable: '30%', selector: { matchLabels: { app: 'gen' } } });
    await eventually('the controller to count no pods', async () => {
      const p = await getJson<KObj>(
        c,
        '/apis/policy/v1/namespaces/default/poddisruptionbudgets/gen',
      );
      return p.status?.observedGeneration === 1 && p.status?.expectedPods === 0;
    });
    await kubectl(['delete', 'pdb', 'gen']);
  });

  it('minAvailable 2 on 3 pods: kubectl drain evicts one, waits on 429 for the rest, and finishes', async () => {
    const [first, second] = nodes;
    // All three pods on the first node: the second is cordoned until they run.
    await kubectl(['cordon', second]);
    await apply(c, rc('web', 3), {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    });
    await eventually('3 ready pods on the first node', async () => {
      const ps = await readyPods('web');
      return ps.length === 3 && ps.every((p) => p.spec.nodeName === first);
    });
    await eventually('one disruption allowed', async () => {
      const pdb = await getJson<KObj>(
        c,
        '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web',
      );
      return pdb.status?.disruptionsAllowed === 1;
    });
    const pdbTable = await kubectl(['get', 'pdb', 'web']);
    expect(pdbTable.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'MIN AVAILABLE',
      'MAX UNAVAILABLE',
      'ALLOWED DISRUPTIONS',
      'AGE',
    ]);
    expect(pdbTable.split('\n')[1]).toMatch(/^web\s+2\s+N\/A\s+1\s+\S+$/);
    const described = await kubectl(['describe', 'pdb', 'web']);
    expect(described).toMatch(/^Min available:\s+2$/m);
    expect(described).toMatch(/^\s+Allowed disruptions:\s+1$/m);
    await kubectl(['uncordon', second]);

    const started = Date.now();
    const drain = await c.kubectl(['drain', first, '--ignore-daemonsets', '--timeout=60s'], {
      timeoutMs: 70_000,
    });
    const out = `${drain.stdout}${drain.stderr}`;
    expect(drain.code, out).toBe(0);
    // The budget refused at least once, and kubectl waited and retried, as against Kubernetes.
    expect(out).toContain(
      "(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect(out).toMatch(new RegExp(`node/${first} drained`));
    expect(Date.now() - started).toBeGreaterThan(4_000);
    // The last replacement turns ready after drain returns: nothing waits on it.
    await eventually('3 ready pods on the second node', async () => {
      const ps = await readyPods('web');
      return ps.length === 3 && ps.every((p) => p.spec.nodeName === second);
    });
  });
});
