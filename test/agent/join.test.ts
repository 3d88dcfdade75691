// Joining with a join token: the CA pinned to the token's hash, a node credential of its own kept in the state folder, and used.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api';
import { fetchPinnedCa, parseJoinToken, spkiSha256 } from '../../src/agent/join';
import type { Pod } from '../../src/agent/types';
import { cleanupClusters, ROOT, run, type Cluster } from '../helpers/cluster';
import {
  adminApi,
  eventually,
  killRecordedContainers,
  NODE_BIN,
  randomSlots,
  startAgent,
  startTestCluster,
  stopAgents,
  type AgentProcess,
} from './helpers';

let cluster: Cluster;
let api: AgentApi;
let joinToken: string;
let stateDir: string;
let agent: AgentProcess;
const [joined, impostor] = randomSlots(2);

async function edgeplane(args: string[]): Promise<string> {
  const r = await run(
    process.execPath,
    [path.join(ROOT, 'bin', 'edgeplane.cjs'), ...args, '--kubeconfig', cluster.kubeconfig],
    { timeoutMs: 60_000 },
  );
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

beforeAll(async () => {
  cluster = await startTestCluster();
  api = adminApi(cluster);
  joinToken = await edgeplane(['token', 'create', '--ttl', '1h']);
  stateDir = path.join(cluster.stateDir, '..', 'joined-agent');
}, 180_000);

afterAll(async () => {
  await stopAgents();
  if (stateDir) killRecordedContainers(stateDir);
  api?.close();
  await cleanupClusters();
}, 60_000);

const pemDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

describe('joining a cluster', () => {
  it('reads the join token edgeplane token create prints: id, secret and the CA hash', () => {
    const t = parseJoinToken(joinToken);
    expect(t).toBeDefined();
    const cert = fs.readFileSync(path.join(cluster.stateDir, 'tls', 'server.crt'), 'utf8');
    expect(t!.caHash).toBe(spkiSha256(pemDer(cert)));
    expect(parseJoinToken(cluster.token)).toBeUndefined();
  });

  it('pins the server certificate to the hash, and refuses a server that does not match it', async () => {
    const t = parseJoinToken(joinToken)!;
    expect(t.caHash).toBeDefined();
    const pem = await fetchPinnedCa(cluster.url, t.caHash!);
    expect(pemDer(pem)).toEqual(
      pemDer(fs.readFileSync(path.join(cluster.stateDir, 'tls', 'server.crt'), 'utf8')),
    );
    await expect(fetchPinnedCa(cluster.url, '0'.repeat(64))).rejects.toThrow(
      /does not match the CA hash in the join token/,
    );
  });

  it('an agent whose join token carries another CA hash stops before sending anything', async () => {
    const wrong = joinToken.replace(/\.[0-9a-f]{64}$/, `.${'ab'.repeat(32)}`);
    await expect(
      startAgent(
        cluster,
        [
          '--runtime',
          'fake',
          '--name',
          'impostor',
          '--address',
          impostor.address,
          '--state',
          path.join(stateDir, '..', 'impostor'),
        ],
        { token: wrong, caFile: false },
      ),
    ).rejects.toThrow(/does not match the CA hash in the join token/);
    await expect(api.client.get('nodes', 'impostor')).rejects.toThrow(/not found/);
  });

  it('joins with the join token and runs as its own node: credential and pinned CA kept, Node, Lease and pods written with it', async () => {
    agent = await startAgent(
      cluster,
      [
        '--runtime',
        'process',
        '--name',
        'joined-1',
        '--address',
        joined.address,
        '--state',
        stateDir,
      ],
      // As edgeplane dev starts its agents: the token in the environment, not on the command line.
      { token: joinToken, caFile: false, tokenInEnv: true },
    );
    expect(agent.output()).toContain('joined the cluster as node joined-1');
    expect(fs.readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8')).not.toContain(
      joinToken.split('.')[1],
    );
    const cred = path.join(stateDir, 'credential');
    expect(fs.statSync(cred).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(cred, 'utf8')).toMatch(/^ep-node\./);
    expect(fs.existsSync(path.join(stateDir, 'ca.crt'))).toBe(true);
    const out = await cluster.kubectl(['get', 'node', 'joined-1', '--no-headers']);
    expect(out.stdout).toMatch(/^joined-1\s+Ready/);
    await eventually('the lease', async () =>
      api.client.get('leases.coordination.k8s.io', 'joined-1', { namespace: 'kube-node-lease' }),
    );

    // A pod reading a ConfigMap: the Node authorizer lets the node read it because its pod references it.
    await api.client.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'greeting', namespace: 'default' },
      data: { text: 'hello from a configmap' },
    });
    const server =
      "require('http').createServer((q,s)=>s.end(process.env.TEXT)).listen(8080, process.env.POD_IP)";
    await api.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'greeter', namespace: 'default' },
      spec: {
        nodeName: 'joined-1',
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name: 'main',
            image: 'x',
            command: [NODE_BIN, '-e', server],
            env: [
              { name: 'TEXT', valueFrom: { configMapKeyRef: { name: 'greeting', key: 'text' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            ],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          },
        ],
      },
    } as Pod);
    const p = await eventually('greeter to be Ready', async () => {
      const got = await api.client.get<Pod>('pods', 'greeter', { namespace: 'default' });
      return got.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
        ? got
        : undefined;
    });
    const res = await fetch(`http://${p.status!.podIP}:8080/`);
    expect(await res.text()).toBe('hello from a configmap');
    const del = await cluster.kubectl(['delete', 'pod', 'greeter', '--timeout=30s']);
    expect(del.code, del.stderr).toBe(0);
  });

  it('starts again from the stored credential, with no token at all', async () => {
    await agent.stop();
    agent = await startAgent(
      cluster,
      ['--runtime', 'fake', '--name', 'joined-1', '--address', joined.address, '--state', stateDir],
      { token: null, caFile: false },
    );
    expect(agent.output()).not.toContain('joined the cluster');
    const before = (
      await api.client.get<{ spec: { renewTime: string } } & Pod>(
        'leases.coordination.k8s.io',
        'joined-1',
        { namespace: 'kube-node-lease' },
      )
    ).spec.renewTime;
    await eventually(
      'a lease renewal with the stored credential',
      async () => {
        const l = await api.client.get<{ spec: { renewTime: string } } & Pod>(
          'leases.coordination.k8s.io',
          'joined-1',
          { namespace: 'kube-node-lease' },
        );
        return l.spec.renewTime !== before;
      },
      20_000,
    );
  });

  it('gets 401 once an admin revokes the node credential', async () => {
    expect(await edgeplane(['node', 'revoke', 'joined-1'])).toMatch(/1 credential\(s\) revoked/);
    await eventually(
      'the agent to be refused',
      async () => /Unauthorized|401/.test(agent.output()),
      20_000,
    );
  });
});
