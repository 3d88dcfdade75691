// The simulated runtime end to end: `edgeplane agent --runtime fake --nodes 3` against `edgeplane dev`, checked with kubectl.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/lib/cidr';
import type { Node, Pod } from '../../src/agent/types';
import type { AgentApi } from '../../src/agent/api';
import { cleanupClusters, type Cluster } from '../helpers/cluster';
import {
  adminApi,
  eventually,
  randomSlots,
  sleep,
  startAgent,
  startTestCluster,
  stopAgents,
  type AgentProcess,
} from './helpers';

let cluster: Cluster;
let agent: AgentProcess;
let api: AgentApi;
// Three consecutive node slots: fake-1, fake-2, fake-3.
const slots = randomSlots(3);

beforeAll(async () => {
  cluster = await startTestCluster();
  api = adminApi(cluster);
  agent = await startAgent(cluster, [
    '--runtime',
    'fake',
    '--nodes',
    '3',
    '--name-prefix',
    'fake-',
    '--address',
    slots[0].address,
    '--cpu',
    '2',
    '--memory',
    '4Gi',
    '--labels',
    'pool=sim',
    '--state',
    path.join(cluster.stateDir, '..', 'fake-agent'),
    '--verbose',
  ]);
}, 180_000);

afterAll(async () => {
  await stopAgents();
  api?.close();
  await cleanupClusters();
}, 60_000);

function pod(
  name: string,
  node: string | undefined,
  extra: Partial<Pod['spec']> = {},
  annotations?: Record<string, string>,
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: {
      ...(node ? { nodeName: node } : {}),
      containers: [{ name: 'app', image: 'example/app:1' }],
      terminationGracePeriodSeconds: 5,
      ...extra,
    },
  };
}

const condition = (p: Pod, type: string) =>
  p.status?.conditions?.find((c) => c.type === type)?.status;

describe('simulated nodes', () => {
  it('registers 3 Ready nodes with capacity, labels, addresses, podCIDRs and node info', async () => {
    const out = await cluster.kubectl(['get', 'nodes', '-l', 'pool=sim', '--no-headers']);
    expect(out.code, out.stderr).toBe(0);
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows.map((r) => [r[0], r[1], r[4]])).toEqual([
      ['fake-1', 'Ready', 'v1.32.4-edgeplane'],
      ['fake-2', 'Ready', 'v1.32.4-edgeplane'],
      ['fake-3', 'Ready', 'v1.32.4-edgeplane'],
    ]);
    const node = await api.client.get<Node>('nodes', 'fake-2');
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'fake-2',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'edgeplane',
      pool: 'sim',
    });
    expect(node.status?.capacity).toMatchObject({ cpu: '2', memory: '4Gi', pods: '110' });
    expect(node.status?.allocatable).toMatchObject({ cpu: '2', memory: '4Gi', pods: '110' });
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: slots[1].address },
      { type: 'Hostname', address: 'fake-2' },
    ]);
    expect(node.spec?.podCIDR).toBe(slots[1].podCidr);
    expect(node.status?.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.32.4-edgeplane',
      containerRuntimeVersion: 'fake://1.0',
      operatingSystem: 'linux',
    });
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    for (const t of ['MemoryPressure', 'DiskPressure', 'PIDPressure'])
      expect(node.status?.conditions?.find((c) => c.type === t)?.status).toBe('False');
  });

  it('renews each node Lease in kube-node-lease about every 10 s', async () => {
    const leases = async () =>
      Promise.all(
        ['fake-1', 'fake-2', 'fake-3'].map((n) =>
          api.client.get('leases.coordination.k8s.io', n, { namespace: 'kube-node-lease' }),
        ),
      ) as Promise<
        {
          spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
          metadata: { ownerReferences?: { kind: string; name: string }[] };
        }[]
      >;
    const first = await leases();
    for (const [i, l] of first.entries()) {
      expect(l.spec.holderIdentity).toBe(`fake-${i + 1}`);
      expect(l.spec.leaseDurationSeconds).toBe(40);
      expect(l.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(l.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Node', name: `fake-${i + 1}` }),
      ]);
    }
    // Every lease renewed within 11.5 s of the first read (polled: no need to wait the whole span).
    const second = await eventually(
      'every node Lease renewed',
      async () => {
        const now = await leases();
        return now.every((l, i) => l.spec.renewTime !== first[i].spec.renewTime) && now;
      },
      11_500,
      250,
    );
    for (const [i, l] of second.entries()) {
      // Renewed since, and recently enough that renewals come about every 10 s.
      expect(Date.parse(l.spec.renewTime)).toBeGreaterThan(Date.parse(first[i].spec.renewTime));
      expect(Date.now() - Date.parse(l.spec.renewTime)).toBeLessThan(11_500);
    }
    const out = await cluster.kubectl(['get', 'leases', '-n', 'kube-node-lease', '--no-headers']);
    expect(out.stdout).toMatch(/fake-1\s+fake-1/);
  }, 30_000);

  it("runs a pod bound to a node: 1/1 Running with a podIP from that node's podCIDR", async () => {
    await api.client.create('pods', pod('web', 'fake-2'));
    const line = await eventually('web to be 1/1 Running', async () => {
      const out = await cluster.kubectl(['get', 'pod', 'web', '--no-headers', '-o', 'wide']);
      return /^web\s+1\/1\s+Running\s+0\s/.test(out.stdout) ? out.stdout : undefined;
    });
    const node = await api.client.get<Node>('nodes', 'fake-2');
    const p = await api.client.get<Pod>('pods', 'web', { namespace: 'default' });
    expect(parseCidr(node.spec!.podCIDR!).contains(p.status!.podIP!)).toBe(true);
    expect(line).toContain(p.status!.podIP!);
    expect(p.status).toMatchObject({
      phase: 'Running',
      hostIP: slots[1].address,
      hostIPs: [{ ip: slots[1].address }],
      podIPs: [{ ip: p.status!.podIP }],
    });
    expect(p.status!.startTime).toBeTruthy();
    for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
      expect(condition(p, t)).toBe('True');
      expect(p.status!.conditions!.find((c) => c.type === t)!.lastTransitionTime).toBeTruthy();
    }
    expect(p.status!.containerStatuses![0]).toMatchObject({
      name: 'app',
      ready: true,
      started: true,
      restartCount: 0,
      image: 'example/app:1',
      state: { running: {} },
    });
    expect(p.status!.containerStatuses![0].containerID).toMatch(/^fake:\/\//);
  });

  it('gives two pods on one node distinct addresses, and pods on other nodes addresses from their own ranges', async () => {
    await api.client.create('pods', pod('web-b', 'fake-2'));
    await api.client.create('pods', pod('web-c', 'fake-3'));
    const ips = await eventually('both pods to have addresses', async () => {
      const b = await api.client.get<Pod>('pods', 'web-b', { namespace: 'default' });
      const c = await api.client.get<Pod>('pods', 'web-c', { namespace: 'default' });
      return b.status?.podIP && c.status?.podIP ? [b.status.podIP, c.status.podIP] : undefined;
    });
    const a = (await api.client.get<Pod>('pods', 'web', { namespace: 'default' })).status!.podIP;
    expect(new Set([a, ...ips]).size).toBe(3);
    expect(parseCidr(slots[2].podCidr).contains(ips[1])).toBe(true);
  });

  it('runs a pod bound through pods/binding', async () => {
    await api.client.create(
      'pods',
      pod('bound', undefined, { schedulerName: 'edgeplane-test-manual' } as Partial<Pod['spec']>),
    );
    await api.client.createSubresource(
      'pods',
      'bound',
      'binding',
      {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'bound' },
        target: { apiVersion: 'v1', kind: 'Node', name: 'fake-1' },
      },
      { namespace: 'default' },
    );
    await eventually(
      'the bound pod to be Ready',
      async () =>
        condition(await api.client.get<Pod>('pods', 'bound', { namespace: 'default' }), 'Ready') ===
        'True',
    );
  });

  it("writes nothing while a pod's status does not change", async () => {
    const before = (await api.client.get<Pod>('pods', 'web', { namespace: 'default' })).metadata
      .resourceVersion;
    await sleep(3_000);
    expect(
      (await api.client.get<Pod>('pods', 'web', { namespace: 'default' })).metadata.resourceVersion,
    ).toBe(before);
  });

  it('flips readiness with the edgeplane.dev/fake-ready annotation: Ready=False, 0/1, then back', async () => {
    await cluster.kubectl(['annotate', 'pod', 'web', 'edgeplane.dev/fake-ready=false']);
    const p = await eventually('web to turn unready', async () => {
      const got = await api.client.get<Pod>('pods', 'web', { namespace: 'default' });
      return condition(got, 'Ready') === 'False' ? got : undefined;
    });
    expect(p.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
    expect(p.status!.phase).toBe('Running');
    expect((await cluster.kubectl(['get', 'pod', 'web', '--no-headers'])).stdout).toMatch(
      /^web\s+0\/1\s+Running/,
    );
    await cluster.kubectl(['annotate', 'pod', 'web', 'edgeplane.dev/fake-ready-']);
    await eventually(
      'web to be Ready again',
      async () =>
        condition(await api.client.get<Pod>('pods', 'web', { namespace: 'default' }), 'Ready') ===
        'True',
    );
  });

  it('starts a pod created unready by annotation as Running but not Ready', async () => {
    await api.client.create(
      'pods',
      pod('cold', 'fake-3', {}, { 'edgeplane.dev/fake-ready': 'false' }),
    );
    const p = await eventually('cold to run', async () => {
      const got = await api.client.get<Pod>('pods', 'cold', { namespace: 'default' });
      return got.status?.phase === 'Running' ? got : undefined;
    });
    expect(condition(p, 'Ready')).toBe('False');
  });

  it('completes a graceful delete: kubectl delete returns and the pod is gone', async () => {
    const started = Date.now();
    const out = await cluster.kubectl(['delete', 'pod', 'web', '--timeout=30s']);
    expect(out.code, out.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const get = await cluster.kubectl(['get', 'pod', 'web']);
    expect(get.stderr).toContain('NotFound');
  });

  it('runs init containers before the app container', async () => {
    await api.client.create(
      'pods',
      pod('with-init', 'fake-1', { initContainers: [{ name: 'setup', image: 'busybox' }] }),
    );
    const p = await eventually('with-init to be Ready', async () => {
      const got = await api.client.get<Pod>('pods', 'with-init', { namespace: 'default' });
      return condition(got, 'Ready') === 'True' ? got : undefined;
    });
    expect(p.status!.initContainerStatuses![0]).toMatchObject({
      name: 'setup',
      ready: true,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
  });

  it("reports Ready again at once when something overwrites the Node's Ready condition", async () => {
    const node = await api.client.get<Node>('nodes', 'fake-3');
    const conditions = node.status!.conditions!.map((c) =>
      c.type === 'Ready'
        ? {
            ...c,
            status: 'Unknown' as const,
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
          }
        : c,
    );
    await api.client.updateStatus('nodes', { ...node, status: { ...node.status, conditions } });
    await eventually(
      'fake-3 to be Ready again',
      async () => {
        const got = await api.client.get<Node>('nodes', 'fake-3');
        return got.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      },
      10_000,
    );
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await agent.stop()).toBe(0);
    expect(agent.output()).toContain('SIGTERM, stopping');
  });
});
