// Simulated nodes joined with a join token: each joins under its own name and writes with its own node
// credential (the Node authorizer lets a node write only its own Node, Lease and pods). And an agent
// with a bearer token that does not trust the server's certificate is told to pass --ca-file.
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api';
import type { Node } from '../../src/agent/types';
import { cleanupClusters, ROOT, run, type Cluster } from '../helpers/cluster';
import {
  adminApi,
  eventually,
  randomSlots,
  sleep,
  startAgent,
  startTestCluster,
  stopAgents,
} from './helpers';

let cluster: Cluster;
let api: AgentApi;
const slots = randomSlots(3);

beforeAll(async () => {
  cluster = await startTestCluster();
  api = adminApi(cluster);
}, 180_000);

afterAll(async () => {
  await stopAgents();
  api?.close();
  await cleanupClusters();
}, 60_000);

it('--nodes 3 --name-prefix with a join token: every node joins with a credential of its own and turns Ready', async () => {
  const r = await run(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'edgeplane.cjs'),
      'token',
      'create',
      '--ttl',
      '1h',
      '--kubeconfig',
      cluster.kubeconfig,
    ],
    { timeoutMs: 60_000 },
  );
  expect(r.code, r.stderr).toBe(0);
  const state = path.join(cluster.stateDir, '..', 'sim-agent');
  const agent = await startAgent(
    cluster,
    [
      '--runtime',
      'fake',
      '--nodes',
      '3',
      '--name-prefix',
      'sim',
      '--address',
      slots[0].address,
      '--state',
      state,
    ],
    { token: r.stdout.trim(), caFile: false },
  );
  const names = ['sim1', 'sim2', 'sim3'];
  await eventually('three Ready simulated nodes', async () => {
    const nodes = (await api.client.list<Node>('nodes')).items;
    const ready = nodes
      .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((n) => n.metadata.name);
    return names.every((n) => ready.includes(n)) || undefined;
  });
  for (const n of names) {
    const creds = await api.client.list('secrets', {
      namespace: 'kube-system',
      labelSelector: `edgeplane.dev/node=${n}`,
    });
    expect(creds.items.length, n).toBe(1);
  }
  expect(agent.output()).not.toMatch(/forbidden|not allowed/i);

  // kubectl exec rides sim2's tunnel; `node revoke sim2` cuts it at once, though the agent runs on.
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'on-sim2' },
    spec: { nodeName: 'sim2', containers: [{ name: 'c', image: 'x' }] },
  };
  expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) })).code).toBe(
    0,
  );
  await eventually('kubectl exec into a pod on sim2', async () => {
    const r = await cluster.kubectl(['exec', 'on-sim2', '--', 'echo', 'hi']);
    return (r.code === 0 && r.stdout === 'hi\n') || undefined;
  });
  const revoked = await run(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'edgeplane.cjs'),
      'node',
      'revoke',
      'sim2',
      '--kubeconfig',
      cluster.kubeconfig,
    ],
    { timeoutMs: 60_000 },
  );
  expect(revoked.stdout).toBe('node sim2: 1 credential(s) revoked, its tunnel closed\n');
  const after = await cluster.kubectl(['exec', 'on-sim2', '--', 'echo', 'hi']);
  expect(after.code).not.toBe(0);
  expect(after.stderr).toMatch(/node sim2 has no tunnel connected/);
  // Its reconnects meet 401 (checked against storage, not a cache): exec stays refused.
  await sleep(3_000);
  expect((await cluster.kubectl(['exec', 'on-sim2', '--', 'echo', 'hi'])).code).not.toBe(0);
  expect(agent.output()).toMatch(/sim2: tunnel: .*(401|Unauthorized)/);
  // The other nodes of the same agent keep their tunnels.
  const other = { ...pod, metadata: { name: 'on-sim3' }, spec: { ...pod.spec, nodeName: 'sim3' } };
  expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(other) })).code).toBe(
    0,
  );
  await eventually('kubectl exec into a pod on sim3', async () => {
    const r = await cluster.kubectl(['exec', 'on-sim3', '--', 'echo', 'hi']);
    return (r.code === 0 && r.stdout === 'hi\n') || undefined;
  });
  await agent.stop();
}, 120_000);

it('an admin token without --ca-file against a private CA: the error names --ca-file, not --use-system-ca', async () => {
  await expect(
    startAgent(
      cluster,
      [
        '--runtime',
        'fake',
        '--name',
        'untrusting',
        '--address',
        slots[2].address,
        '--state',
        path.join(cluster.stateDir, '..', 'untrusting'),
      ],
      { caFile: false },
    ),
  ).rejects.toThrow(/presents a certificate this machine does not trust .*pass --ca-file/);
}, 60_000);
