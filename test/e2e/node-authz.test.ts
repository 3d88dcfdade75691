// A node credential can do exactly what Kubernetes' Node authorizer and NodeRestriction allow:
// every other read and write is 403, and a revoked credential is 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connectWs } from '../../src/agent/tunnel/ws-client';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;
let nodeA: string;
const ROOT = path.resolve(__dirname, '..', '..');

async function asNodeFull(
  token: string,
  method: string,
  p: string,
  body?: unknown,
  type = 'application/json',
) {
  const res = await c.fetch(p, {
    method,
    token,
    headers: body !== undefined ? { 'content-type': type } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // not a Status
  }
  return { status: res.status, message };
}

async function asNode(
  token: string,
  method: string,
  p: string,
  body?: unknown,
  type = 'application/json',
) {
  return (await asNodeFull(token, method, p, body, type)).status;
}

async function admin(method: string, p: string, body?: unknown) {
  const type = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  const res = await c.fetch(p, {
    method,
    headers: { 'content-type': type },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function join(joinToken: string, nodeName: string): Promise<string> {
  const [id, secret] = joinToken.split('.');
  const res = await c.fetch('/edgeplane/v1/join', {
    method: 'POST',
    token: `${id}.${secret}`,
    body: JSON.stringify({ nodeName }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).token;
}

const pod = (name: string, node: string, refs = false) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    nodeName: node,
    containers: [
      {
        name: 'c',
        image: 'x',
        ...(refs
          ? {
              envFrom: [{ configMapRef: { name: 'cm-used' } }],
              env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 'sec-used', key: 'k' } } }],
            }
          : {}),
      },
    ],
  },
});

beforeAll(async () => {
  c = await startCluster();
  const joinToken = execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'edgeplane.cjs'),
      'token',
      'create',
      '--ttl',
      '10m',
      '--kubeconfig',
      c.kubeconfig,
    ],
    { encoding: 'utf8' },
  ).trim();
  expect(joinToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}\.[0-9a-f]{64}$/);
  nodeA = await join(joinToken, 'node-a');
  await join(joinToken, 'node-b');
  for (const n of ['node-a', 'node-b'])
    await admin('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
  await admin('POST', '/api/v1/namespaces/default/configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm-used' },
    data: { a: '1' },
  });
  await admin('POST', '/api/v1/namespaces/default/configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm-other' },
    data: { a: '1' },
  });
  await admin('POST', '/api/v1/namespaces/default/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'sec-used' },
    stringData: { k: 'v' },
  });
  await admin('POST', '/api/v1/namespaces/default/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'sec-other' },
    stringData: { k: 'v' },
  });
  await admin('POST', '/api/v1/namespaces/default/pods', pod('on-a', 'node-a', true));
  await admin('POST', '/api/v1/namespaces/default/pods', pod('on-b', 'node-b'));
  await admin('POST', '/api/v1/namespaces/default/pods', {
    ...pod('status-a', 'node-a'),
    metadata: {
      name: 'status-a',
      namespace: 'default',
      labels: { app: 'a' },
      annotations: { note: 'n' },
    },
  });
  // What an admin put on node-a that the node itself may not undo: a taint and a node-restriction label.
  await admin('PATCH', '/api/v1/nodes/node-a', {
    metadata: { labels: { 'node-restriction.kubernetes.io/pool': 'db' } },
    spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
  });
  await admin('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-b' },
    spec: { holderIdentity: 'node-b' },
  });
  await admin('POST', '/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      },
    },
  });
}, 120_000);

afterAll(cleanupClusters);

describe('a node credential', () => {
  it('is allowed exactly what a node needs, and refused (403) everything else', async () => {
    const mergePatch = 'application/merge-patch+json';
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'node-a', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'node-a' },
    };
    const allowed: [string, string, unknown?, string?][] = [
      ['GET', '/api/v1/nodes'],
      ['GET', '/api/v1/nodes/node-b'],
      ['PATCH', '/api/v1/nodes/node-a', { metadata: { labels: { x: 'y' } } }, mergePatch],
      [
        'PATCH',
        '/api/v1/nodes/node-a/status',
        { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
        mergePatch,
      ],
      ['POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease],
      ['GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a'],
      [
        'PATCH',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a',
        { spec: { leaseDurationSeconds: 40 } },
        mergePatch,
      ],
      ['GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a'],
      ['GET', '/api/v1/namespaces/default/pods/on-a'],
      // A token for the ServiceAccount its pod runs as, bound to that pod (the projected token).
      [
        'POST',
        '/api/v1/namespaces/default/serviceaccounts/default/token',
        { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'on-a' } } },
      ],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/on-a/status',
        { status: { phase: 'Running' } },
        mergePatch,
      ],
      ['GET', '/api/v1/namespaces/default/configmaps/cm-used'],
      ['GET', '/api/v1/namespaces/default/secrets/sec-used'],
      ['GET', '/api/v1/services'],
      ['GET', '/api/v1/endpoints'],
      ['GET', '/apis/discovery.k8s.io/v1/endpointslices'],
      [
        'POST',
        '/api/v1/namespaces/default/events',
        {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: 'on-a.1' },
          involvedObject: { kind: 'Pod', name: 'on-a', namespace: 'default' },
          reason: 'Started',
          message: 'm',
          type: 'Normal',
        },
      ],
      ['DELETE', '/api/v1/namespaces/default/pods/on-a'],
      // NodeRestriction: the labels kubelet sets on itself, and labels outside kubernetes.io / k8s.io
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        {
          metadata: {
            labels: {
              'kubernetes.io/hostname': 'node-a',
              'topology.kubernetes.io/zone': 'z1',
              'node.kubernetes.io/instance-type': 'big',
              'example.com/team': 't',
            },
          },
        },
        mergePatch,
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        { metadata: { labels: { 'node.kubernetes.io/instance-type': null } } },
        mergePatch,
      ],
      // status writes that send the pod back unchanged but for its status, as the agent's PUT does
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/status-a/status',
        { metadata: { labels: { app: 'a' } }, status: { phase: 'Running' } },
        mergePatch,
      ],
    ];
    const refused: [string, string, unknown?, string?][] = [
      // other nodes, their leases and pods
      ['PATCH', '/api/v1/nodes/node-b', { metadata: { labels: { x: 'y' } } }, mergePatch],
      ['PATCH', '/api/v1/nodes/node-b/status', { status: {} }, mergePatch],
      ['POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-c' } }],
      ['DELETE', '/api/v1/nodes/node-b'],
      ['DELETE', '/api/v1/nodes/node-a'],
      [
        'PATCH',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-b',
        { spec: {} },
        mergePatch,
      ],
      [
        'POST',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        { ...lease, metadata: { name: 'node-c', namespace: 'kube-node-lease' } },
      ],
      ['GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases'],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/on-b/status',
        { status: { phase: 'Running' } },
        mergePatch,
      ],
      ['DELETE', '/api/v1/namespaces/default/pods/on-b'],
      ['POST', '/api/v1/namespaces/default/pods', pod('new', 'node-a')],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/on-b',
        { metadata: { labels: { x: 'y' } } },
        mergePatch,
      ],
      [
        'POST',
        '/api/v1/namespaces/default/pods/on-b/binding',
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: 'on-b' },
          target: { kind: 'Node', name: 'node-a' },
        },
      ],
      [
        'POST',
        '/api/v1/namespaces/default/pods/on-b/eviction',
        { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'on-b' } },
      ],
      // secrets and configmaps no pod of this node references, and listing them at all
      ['GET', '/api/v1/namespaces/default/secrets/sec-other'],
      ['GET', '/api/v1/namespaces/default/configmaps/cm-other'],
      ['GET', '/api/v1/namespaces/default/secrets'],
      ['GET', '/api/v1/secrets'],
      ['GET', '/api/v1/namespaces/default/configmaps'],
      ['GET', '/api/v1/namespaces/kube-system/secrets'],
      [
        'POST',
        '/api/v1/namespaces/default/secrets',
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2' } },
      ],
      ['PATCH', '/api/v1/namespaces/default/configmaps/cm-used', { data: { b: '2' } }, mergePatch],
      // workloads, namespaces, services and everything else
      ['GET', '/apis/apps/v1/deployments'],
      ['GET', '/apis/apps/v1/namespaces/default/deployments/d'],
      [
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/d/scale',
        { spec: { replicas: 3 } },
        mergePatch,
      ],
      ['GET', '/apis/apps/v1/replicasets'],
      ['GET', '/api/v1/namespaces'],
      [
        'POST',
        '/api/v1/namespaces',
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'evil' } },
      ],
      ['DELETE', '/api/v1/namespaces/default'],
      ['GET', '/api/v1/serviceaccounts'],
      [
        'POST',
        '/api/v1/namespaces/default/services',
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 's' },
          spec: { ports: [{ port: 80 }] },
        },
      ],
      [
        'POST',
        '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'e' },
          addressType: 'IPv4',
          endpoints: [],
        },
      ],
      [
        'POST',
        '/api/v1/namespaces/default/endpoints',
        { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' } },
      ],
      ['GET', '/api/v1/namespaces/default/pods/on-a/exec?command=ls'],
      // the Service allocation table is the repair controller's
      ['GET', '/edgeplane/v1/serviceallocations'],
      ['DELETE', '/edgeplane/v1/serviceallocations/port-30000'],
    ];
    // NodeRestriction on the node's own objects: each refusal says why.
    const restricted: [string, string, unknown, string][] = [
      // NodeRestriction of TokenRequest: only bound to a pod on this node
      [
        'POST',
        '/api/v1/namespaces/default/serviceaccounts/default/token',
        { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'on-b' } } },
        'node requested token bound to a pod scheduled on a different node',
      ],
      [
        'POST',
        '/api/v1/namespaces/default/serviceaccounts/default/token',
        { spec: {} },
        'node requested token not bound to a pod',
      ],
      // an account no pod of this node runs as
      [
        'POST',
        '/api/v1/namespaces/default/serviceaccounts/other/token',
        { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'on-a' } } },
        'User "system:node:node-a" cannot create resource "serviceaccounts/token"',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        {
          spec: {
            taints: [
              { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
              { key: 'k', effect: 'NoExecute' },
            ],
          },
        },
        'node "node-a" is not allowed to modify taints',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        { spec: { taints: null } },
        'node "node-a" is not allowed to modify taints',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        { spec: { taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] } },
        'node "node-a" is not allowed to modify taints',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        { spec: { unschedulable: true } },
        'node "node-a" is not allowed to modify spec.unschedulable',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } },
        'node "node-a" is not allowed to modify labels: node-role.kubernetes.io/control-plane',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        { metadata: { labels: { 'node-restriction.kubernetes.io/pool': 'web' } } },
        'node "node-a" is not allowed to modify labels: node-restriction.kubernetes.io/pool',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        { metadata: { labels: { 'node-restriction.kubernetes.io/pool': null } } },
        'node "node-a" is not allowed to modify labels: node-restriction.kubernetes.io/pool',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a',
        {
          metadata: {
            labels: {
              'sub.node-restriction.kubernetes.io/x': '1',
              'kubernetes.io/role': 'x',
              'k8s.io/a': 'b',
            },
          },
        },
        'node "node-a" is not allowed to modify labels: k8s.io/a, kubernetes.io/role, sub.node-restriction.kubernetes.io/x',
      ],
      [
        'PATCH',
        '/api/v1/nodes/node-a/status',
        { metadata: { labels: { 'node-role.kubernetes.io/worker': '' } } },
        'node "node-a" is not allowed to modify labels: node-role.kubernetes.io/worker',
      ],
      [
        'POST',
        '/api/v1/nodes',
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-a', labels: { 'node-restriction.kubernetes.io/pool': 'db' } },
        },
        'node "node-a" is not allowed to set the following labels: node-restriction.kubernetes.io/pool',
      ],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/status-a/status',
        { metadata: { labels: { app: 'b' } }, status: { phase: 'Running' } },
        'node "node-a" cannot update labels through pod status',
      ],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/status-a/status',
        { metadata: { labels: null } },
        'node "node-a" cannot update labels through pod status',
      ],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/status-a/status',
        { metadata: { annotations: { note: 'changed' } } },
        'node "node-a" cannot update annotations through pod status',
      ],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/status-a/status',
        {
          metadata: {
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'Node',
                name: 'node-a',
                uid: '5f0c7c84-0000-4000-8000-000000000000',
              },
            ],
          },
        },
        'node "node-a" cannot update ownerReferences through pod status',
      ],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/status-a/status',
        { spec: { activeDeadlineSeconds: 5 } },
        'node "node-a" cannot update the pod spec through pod status',
      ],
    ];
    // A pod that is gone (one of node-a's, removed at once by an admin, and one that never was) is 404,
    // as upstream answers, so an agent's delete after a scale-down is not a "forbidden"; on-b above stays 403.
    await admin('POST', '/api/v1/namespaces/default/pods', pod('gone-a', 'node-a'));
    await admin('DELETE', '/api/v1/namespaces/default/pods/gone-a?gracePeriodSeconds=0');
    const missing: [string, string, unknown?, string?][] = [
      ['DELETE', '/api/v1/namespaces/default/pods/gone-a'],
      ['DELETE', '/api/v1/namespaces/default/pods/never-was'],
      ['DELETE', '/api/v1/namespaces/other/pods/never-was'],
      ['GET', '/api/v1/namespaces/default/pods/never-was/status'],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/never-was/status',
        { status: { phase: 'Running' } },
        mergePatch,
      ],
    ];
    const unexpected: string[] = [];
    for (const [m, p, b, t] of allowed) {
      const s = await asNode(nodeA, m, p, b, t);
      if (s >= 400) unexpected.push(`expected allowed, got ${s}: ${m} ${p}`);
    }
    for (const [m, p, b, t] of refused) {
      const s = await asNode(nodeA, m, p, b, t);
      if (s !== 403) unexpected.push(`expected 403, got ${s}: ${m} ${p}`);
    }
    for (const [m, p, b, t] of missing) {
      const s = await asNode(nodeA, m, p, b, t);
      if (s !== 404) unexpected.push(`expected 404, got ${s}: ${m} ${p}`);
    }
    for (const [m, p, b, why] of restricted) {
      const r = await asNodeFull(nodeA, m, p, b, m === 'PATCH' ? mergePatch : 'application/json');
      if (r.status !== 403 || !r.message.includes(why))
        unexpected.push(
          `expected 403 "${why}", got ${r.status} ${r.message}: ${m} ${p} ${JSON.stringify(b)}`,
        );
    }
    // A status PUT whose spec lacks only what defaulting fills in sends the same spec: allowed.
    const current = await admin('GET', '/api/v1/namespaces/default/pods/status-a');
    delete current.spec.restartPolicy;
    delete current.spec.dnsPolicy;
    delete current.metadata.resourceVersion;
    current.status.phase = 'Running';
    const put = await asNodeFull(
      nodeA,
      'PUT',
      '/api/v1/namespaces/default/pods/status-a/status',
      current,
    );
    if (put.status !== 200)
      unexpected.push(
        `expected allowed, got ${put.status} ${put.message}: PUT pods/status-a/status with a spec lacking defaulted fields`,
      );
    // Nothing a refused write asked for was stored.
    const nodeNow = await admin('GET', '/api/v1/nodes/node-a');
    expect(nodeNow.spec.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    expect(nodeNow.spec.unschedulable).toBeUndefined();
    expect(nodeNow.metadata.labels['node-restriction.kubernetes.io/pool']).toBe('db');
    const podNow = await admin('GET', '/api/v1/namespaces/default/pods/status-a');
    expect(podNow.metadata.labels).toEqual({ app: 'a' });
    expect(podNow.metadata.annotations).toEqual({ note: 'n' });
    expect(podNow.metadata.ownerReferences).toBeUndefined();
    expect(podNow.spec.activeDeadlineSeconds).toBeUndefined();
    expect(unexpected).toEqual([]);
    console.log(
      `node authorization matrix: ${allowed.length} allowed, ${refused.length + restricted.length} refused, 0 unexpected`,
    );
  });

  it('gets 401 once an admin revokes it, and its live tunnel is cut at once', async () => {
    expect(await asNode(nodeA, 'GET', '/api/v1/nodes')).toBe(200);
    // The node's tunnel, opened as its agent opens it; exec, attach and port-forward all ride on it.
    const tunnelOpts = {
      url: `${c.url}/edgeplane/v1/nodes/node-a/tunnel`,
      protocol: 'edgeplane.tunnel.v1',
      headers: { authorization: `Bearer ${nodeA}` },
      caPem: fs.readFileSync(path.join(c.stateDir, 'tls', 'server.crt'), 'utf8'),
    };
    const tunnel = await connectWs(tunnelOpts);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      tunnel.once('close', (code: number, reason: string) => resolve({ code, reason })),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(tunnel.open).toBe(true);
    const out = execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'edgeplane.cjs'),
        'node',
        'revoke',
        'node-a',
        '--kubeconfig',
        c.kubeconfig,
      ],
      { encoding: 'utf8' },
    );
    expect(out).toBe('node node-a: 1 credential(s) revoked, its tunnel closed\n');
    const timeout = new Promise<'still open'>((r) => setTimeout(() => r('still open'), 3_000));
    expect(await Promise.race([closed, timeout])).toEqual({
      code: 1008,
      reason: 'the node credential was revoked',
    });
    // Reconnecting at once (inside the 5 s credential cache) is refused: the tunnel checks storage.
    await expect(connectWs(tunnelOpts)).rejects.toThrow(/401|Unauthorized/);
    // Credentials are cached for at most 5 s per API isolate.
    const deadline = Date.now() + 15_000;
    let status = 200;
    while (Date.now() < deadline && status !== 401) {
      status = await asNode(nodeA, 'GET', '/api/v1/nodes');
      if (status !== 401) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(401);
  });

  it('a join token cannot take over a live node: refused (409) while its credential is in use and its Lease fresh, allowed after revoke or once the Lease expired', async () => {
    const joinToken = execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'edgeplane.cjs'),
        'token',
        'create',
        '--ttl',
        '10m',
        '--kubeconfig',
        c.kubeconfig,
      ],
      { encoding: 'utf8' },
    ).trim();
    const [id, secret] = joinToken.split('.');
    const tryJoin = async (nodeName: string) => {
      const res = await c.fetch('/edgeplane/v1/join', {
        method: 'POST',
        token: `${id}.${secret}`,
        body: JSON.stringify({ nodeName }),
      });
      return { status: res.status, body: await res.json() };
    };
    const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');
    const first = await tryJoin('node-t');
    expect(first.status).toBe(201);
    const lease = (renew: number) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'node-t', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'node-t', leaseDurationSeconds: 40, renewTime: microTime(renew) },
    });
    expect(
      await asNode(
        first.body.token,
        'POST',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        lease(Date.now()),
      ),
    ).toBe(201);

    const takeover = await tryJoin('node-t');
    expect(takeover.status).toBe(409);
    expect(takeover.body.message).toMatch(
      /^Operation cannot be fulfilled on nodes "node-t": node node-t is already joined and alive \(its credential is in use and its Lease was renewed \d+s ago\); to replace that machine, revoke it first \(edgeplane node revoke node-t\) or join with a token made by edgeplane token create --allow-takeover, or join under another name$/,
    );
    // The live node keeps working: its credential was not rotated away.
    expect(
      await asNode(
        first.body.token,
        'GET',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-t',
      ),
    ).toBe(200);

    // A Lease past its duration: the machine is gone (or lost its state), so it may join again.
    expect(
      await asNode(
        first.body.token,
        'PATCH',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-t',
        { spec: { renewTime: microTime(Date.now() - 60_000) } },
        'application/merge-patch+json',
      ),
    ).toBe(200);
    const rejoined = await tryJoin('node-t');
    expect(rejoined.status).toBe(201);

    // Live again, then the admin revokes it: the name is free.
    expect(
      await asNode(
        rejoined.body.token,
        'PATCH',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-t',
        { spec: { renewTime: microTime(Date.now()) } },
        'application/merge-patch+json',
      ),
    ).toBe(200);
    expect((await tryJoin('node-t')).status).toBe(409);
    execFileSync(process.execPath, [
      path.join(ROOT, 'bin', 'edgeplane.cjs'),
      'node',
      'revoke',
      'node-t',
      '--kubeconfig',
      c.kubeconfig,
    ]);
    const afterRevoke = await tryJoin('node-t');
    expect(afterRevoke.status).toBe(201);

    // Live again: only a token the admin made for it may take the name over, and the old credential goes.
    expect(
      await asNode(
        afterRevoke.body.token,
        'PATCH',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-t',
        { spec: { renewTime: microTime(Date.now()) } },
        'application/merge-patch+json',
      ),
    ).toBe(200);
    expect((await tryJoin('node-t')).status).toBe(409);
    const forceToken = execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'edgeplane.cjs'),
        'token',
        'create',
        '--ttl',
        '10m',
        '--allow-takeover',
        '--kubeconfig',
        c.kubeconfig,
      ],
      { encoding: 'utf8' },
    ).trim();
    const [fid, fsecret] = forceToken.split('.');
    const forced = await c.fetch('/edgeplane/v1/join', {
      method: 'POST',
      token: `${fid}.${fsecret}`,
      body: JSON.stringify({ nodeName: 'node-t' }),
    });
    expect(forced.status).toBe(201);
    await forced.text();
    const deadline = Date.now() + 15_000;
    let old = 200;
    while (Date.now() < deadline && old !== 401) {
      old = await asNode(afterRevoke.body.token, 'GET', '/api/v1/nodes');
      if (old !== 401) await new Promise((r) => setTimeout(r, 500));
    }
    expect(old).toBe(401);
  });

  it('cannot join without a valid join token', async () => {
    const res = await c.fetch('/edgeplane/v1/join', {
      method: 'POST',
      token: 'abcdef.0123456789abcdef',
      body: JSON.stringify({ nodeName: 'intruder' }),
    });
    expect(res.status).toBe(401);
  });
});
