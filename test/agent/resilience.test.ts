// The agent rides out an API outage: its watch drops, it relists with backoff, and pods, leases and deletions carry on.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api';
import type { Pod } from '../../src/agent/types';
import { cleanupClusters, restartCluster, type Cluster } from '../helpers/cluster';
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
let api: AgentApi;
let agent: AgentProcess;

beforeAll(async () => {
  cluster = await startTestCluster();
  api = adminApi(cluster);
  agent = await startAgent(cluster, [
    '--runtime',
    'fake',
    '--name',
    'steady',
    '--address',
    randomSlots()[0].address,
    '--state',
    path.join(cluster.stateDir, '..', 'steady-agent'),
  ]);
}, 180_000);

afterAll(async () => {
  await stopAgents();
  api?.close();
  await cleanupClusters();
}, 60_000);

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    nodeName: 'steady',
    terminationGracePeriodSeconds: 3,
    containers: [{ name: 'app', image: 'x' }],
  },
});

const readyPod = (name: string) =>
  eventually(
    `${name} to be Ready`,
    async () => {
      const p = await api.client.get<Pod>('pods', name, { namespace: 'default' });
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
        ? p
        : undefined;
    },
    45_000,
  );

describe('an API outage', () => {
  it('does not stop the agent: after the API comes back it runs new pods, deletes old ones and renews its lease', async () => {
    await api.client.create('pods', pod('before'));
    await readyPod('before');
    const { stateDir, port } = cluster;
    await cluster.stop();
    api.close();
    await sleep(4_000);
    expect(agent.output()).toMatch(/ECONNREFUSED|socket hang up|fetch failed|watch:/);
    cluster = await restartCluster(stateDir, { extraArgs: ['--port', String(port)] });
    api = adminApi(cluster);
    expect(cluster.port).toBe(port);
    await api.client.create('pods', pod('after'));
    await readyPod('after');
    const del = await cluster.kubectl(['delete', 'pod', 'before', '--timeout=30s']);
    expect(del.code, del.stderr).toBe(0);
    const lease = await api.client.get<Pod & { spec: { renewTime: string } }>(
      'leases.coordination.k8s.io',
      'steady',
      { namespace: 'kube-node-lease' },
    );
    await eventually(
      'a lease renewal after the outage',
      async () => {
        const l = await api.client.get<Pod & { spec: { renewTime: string } }>(
          'leases.coordination.k8s.io',
          'steady',
          { namespace: 'kube-node-lease' },
        );
        return l.spec.renewTime !== lease.spec.renewTime;
      },
      20_000,
    );
    expect(await agent.stop()).toBe(0);
  }, 150_000);
});
