// Node memory pressure end to end on a simulated node (1Gi, synthetic use steered by annotations):
// the agent's eviction manager reports MemoryPressure, the node-lifecycle controller taints the node,
// the scheduler avoids it, the pod ranked first by kubelet's rankMemoryPressure is evicted, a new
// BestEffort pod is refused, and all of it clears after the pressure transition period.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api';
import type { Node, Pod } from '../../src/agent/types';
import { cleanupClusters, type Cluster } from '../helpers/cluster';
import {
  adminApi,
  eventually,
  randomSlots,
  startAgent,
  startTestCluster,
  stopAgents,
} from './helpers';

let cluster: Cluster;
let api: AgentApi;
const [slot] = randomSlots(1);
const NODE = 'squeeze-1';
const TRANSITION_S = 10;

beforeAll(async () => {
  cluster = await startTestCluster();
  api = adminApi(cluster);
  await startAgent(cluster, [
    '--runtime',
    'fake',
    '--nodes',
    '1',
    '--name-prefix',
    'squeeze-',
    '--address',
    slot.address,
    '--cpu',
    '4',
    '--memory',
    '1Gi',
    '--metrics-interval',
    '1s',
    '--eviction-pressure-transition-period',
    `${TRANSITION_S}s`,
    '--state',
    path.join(cluster.stateDir, '..', 'squeeze-agent'),
  ]);
}, 180_000);

afterAll(async () => {
  await stopAgents();
  api?.close();
  await cleanupClusters();
}, 60_000);

function pod(
  name: string,
  memory: string,
  resources: Record<string, Record<string, string>> = {},
  nodeName: string | null = NODE,
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: { 'edgeplane.dev/fake-memory': memory } },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: 'app', image: 'example/app:1', resources }],
      terminationGracePeriodSeconds: 5,
    },
  } as Pod;
}

const getPod = (name: string) => api.client.get<Pod>('pods', name, { namespace: 'default' });
const memoryPressure = async () =>
  (await api.client.get<Node>('nodes', NODE)).status?.conditions?.find(
    (c) => c.type === 'MemoryPressure',
  );
const taints = async () =>
  (
    (await api.client.get<Node>('nodes', NODE)).spec as {
      taints?: { key: string; effect: string }[];
    }
  )?.taints ?? [];

describe('memory pressure on a node', () => {
  it('reports MemoryPressure, taints the node, evicts by rank, refuses BestEffort pods, then clears', async () => {
    // The node's own 256Mi + 100 + 300 + 200 = 856Mi of 1Gi: 168Mi available, over the 100Mi threshold.
    await api.client.create(
      'pods',
      pod('guaranteed', '100Mi', { limits: { cpu: '100m', memory: '200Mi' } }),
      {
        namespace: 'default',
      },
    );
    await api.client.create('pods', pod('burstable', '300Mi', { requests: { memory: '100Mi' } }), {
      namespace: 'default',
    });
    await api.client.create('pods', pod('besteffort', '200Mi'), { namespace: 'default' });
    for (const name of ['guaranteed', 'burstable', 'besteffort'])
      await eventually(
        `${name} running`,
        async () => (await getPod(name)).status?.phase === 'Running',
      );
    expect((await memoryPressure())?.status).toBe('False');

    // 380Mi for the burstable pod: 88Mi available.
    const burstable = await getPod('burstable');
    await api.client.update('pods', {
      ...burstable,
      metadata: {
        ...burstable.metadata,
        annotations: { 'edgeplane.dev/fake-memory': '380Mi' },
      },
    });
    const evicted = await eventually('the burstable pod evicted', async () => {
      const p = await getPod('burstable');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    const pressureSeen = Date.now();
    // Over its request by 280Mi, ahead of the BestEffort pod's 200Mi: rankMemoryPressure's order.
    expect(evicted.status).toMatchObject({
      phase: 'Failed',
      reason: 'Evicted',
      message:
        'The node was low on resource: memory. Threshold quantity: 100Mi, available: 88Mi. ' +
        'Container app was using 380Mi, request is 100Mi, has larger consumption of memory. ',
    });
    expect(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'TerminationByKubelet',
    });
    expect(evicted.status?.containerStatuses?.[0].state.terminated).toBeDefined();
    for (const name of ['guaranteed', 'besteffort'])
      expect((await getPod(name)).status?.phase).toBe('Running');

    // While the condition holds: a new BestEffort pod bound to the node is refused at admission,
    // a Burstable one is admitted, and the scheduler keeps unbound pods off the tainted node.
    await api.client.create('pods', pod('late-besteffort', '1Mi'), { namespace: 'default' });
    await api.client.create('pods', pod('late-burstable', '1Mi', { requests: { memory: '1Mi' } }), {
      namespace: 'default',
    });
    const condition = await memoryPressure();
    expect(condition).toMatchObject({
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
      message: 'kubelet has insufficient memory available',
    });
    await eventually('the memory-pressure taint', async () =>
      (await taints()).some(
        (t) => t.key === 'node.kubernetes.io/memory-pressure' && t.effect === 'NoSchedule',
      ),
    );
    await api.client.create('pods', pod('unbound', '1Mi', {}, null), { namespace: 'default' });
    const refused = await eventually('late-besteffort refused', async () => {
      const p = await getPod('late-besteffort');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    expect(refused.status).toMatchObject({
      reason: 'Evicted',
      message: 'Pod was rejected: The node had condition: [MemoryPressure]. ',
    });
    await eventually(
      'late-burstable running',
      async () => (await getPod('late-burstable')).status?.phase === 'Running',
    );
    const unbound = await eventually('unbound pod unschedulable', async () => {
      const p = await getPod('unbound');
      const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
      if (p.spec.nodeName) throw new Error(`scheduled to ${p.spec.nodeName}`);
      return c?.status === 'False' ? c : undefined;
    });
    expect(unbound.message).toContain('node.kubernetes.io/memory-pressure');
    // All of this happened within the transition period, which the test relies on.
    expect(Date.now() - pressureSeen).toBeLessThan(TRANSITION_S * 1000);

    // Relieved since the eviction: the condition and the taint go after the transition period, and the
    // waiting pod is scheduled.
    await eventually(
      'MemoryPressure False',
      async () => (await memoryPressure())?.status === 'False',
      TRANSITION_S * 1000 + 10_000,
    );
    expect(await memoryPressure()).toMatchObject({ reason: 'KubeletHasSufficientMemory' });
    await eventually('the taint removed', async () =>
      (await taints()).every((t) => t.key !== 'node.kubernetes.io/memory-pressure'),
    );
    await eventually(
      'unbound pod scheduled',
      async () => (await getPod('unbound')).spec.nodeName === NODE,
    );
  });
});
