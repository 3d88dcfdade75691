// End to end: the apiserver's write rules a review found missing: a Binding's uid precondition,
// server-side apply to a missing object's status, and Service NodePorts and ClusterIPs that a
// failed write never keeps.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, tempDir, type Cluster } from '../helpers/cluster';

let c: Cluster;
let dir: string;

beforeAll(async () => {
  c = await startCluster();
  dir = tempDir('edgeplane-admission-');
}, 120_000);

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

async function api(method: string, p: string, body?: unknown, type = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await c.fetch(p, { method, headers: { 'content-type': type }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

const service = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });

describe('pods/binding', () => {
  it('refuses a Binding whose metadata.uid names another pod than the one stored (409), and binds with the right uid', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bind-me' }, spec: { schedulerName: 'nobody', containers: [{ name: 'c', image: 'x' }] } };
    const created = await api('POST', '/api/v1/namespaces/default/pods', pod);
    expect(created.status).toBe(201);
    const uid = (created.body.metadata as { uid: string }).uid;
    const binding = (u: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me', uid: u }, target: { kind: 'Node', name: 'node-x' } });

    const wrong = await api('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding('0b9c3c1e-0000-4000-8000-000000000000'));
    expect(wrong.status).toBe(409);
    expect(wrong.body.reason).toBe('Conflict');
    expect(wrong.body.message).toBe(`Operation cannot be fulfilled on pods "bind-me": Precondition failed: UID in precondition: 0b9c3c1e-0000-4000-8000-000000000000, UID in object meta: ${uid}`);
    const still = await api('GET', '/api/v1/namespaces/default/pods/bind-me');
    expect((still.body.spec as { nodeName?: string }).nodeName).toBeUndefined();

    const named = await api('POST', '/api/v1/namespaces/default/pods/bind-me/binding', { ...binding(uid), metadata: { name: 'other', uid } });
    expect(named.status).toBe(400);
    expect(named.body.message).toBe('name in URL does not match name in Binding object');

    expect((await api('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding(uid))).status).toBe(201);
    const bound = await api('GET', '/api/v1/namespaces/default/pods/bind-me');
    expect((bound.body.spec as { nodeName?: string }).nodeName).toBe('node-x');
  });
});

describe('server-side apply', () => {
  it('to the status of a missing object is 404 and creates nothing (kubectl apply --server-side --subresource=status)', async () => {
    const cm = file('status-missing.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ghost\n  namespace: default\nstatus:\n  replicas: 3\n');
    const r = await c.kubectl(['apply', '--server-side', '--subresource=status', '-f', cm]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('deployments.apps "ghost" not found');
    const raw = await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/ghost/status?fieldManager=t', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ghost' }, status: { replicas: 3 } }, 'application/apply-patch+yaml');
    expect(raw.status).toBe(404);
    expect(raw.body.reason).toBe('NotFound');
    expect((await api('GET', '/apis/apps/v1/namespaces/default/deployments/ghost')).status).toBe(404);
  });
});
