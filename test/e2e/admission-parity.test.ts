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

async function api(
  method: string,
  p: string,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await c.fetch(p, {
    method,
    headers: { 'content-type': type },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

const service = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec,
});

describe('pods/binding', () => {
  it('refuses a Binding whose metadata.uid names another pod than the one stored (409), and binds with the right uid', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bind-me' },
      spec: { schedulerName: 'nobody', containers: [{ name: 'c', image: 'x' }] },
    };
    const created = await api('POST', '/api/v1/namespaces/default/pods', pod);
    expect(created.status).toBe(201);
    const uid = (created.body.metadata as { uid: string }).uid;
    const binding = (u: string) => ({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'bind-me', uid: u },
      target: { kind: 'Node', name: 'node-x' },
    });

    const wrong = await api(
      'POST',
      '/api/v1/namespaces/default/pods/bind-me/binding',
      binding('0b9c3c1e-0000-4000-8000-000000000000'),
    );
    expect(wrong.status).toBe(409);
    expect(wrong.body.reason).toBe('Conflict');
    expect(wrong.body.message).toBe(
      `Operation cannot be fulfilled on pods "bind-me": Precondition failed: UID in precondition: 0b9c3c1e-0000-4000-8000-000000000000, UID in object meta: ${uid}`,
    );
    const still = await api('GET', '/api/v1/namespaces/default/pods/bind-me');
    expect((still.body.spec as { nodeName?: string }).nodeName).toBeUndefined();

    const named = await api('POST', '/api/v1/namespaces/default/pods/bind-me/binding', {
      ...binding(uid),
      metadata: { name: 'other', uid },
    });
    expect(named.status).toBe(400);
    expect(named.body.message).toBe('name in URL does not match name in Binding object');

    expect(
      (await api('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding(uid))).status,
    ).toBe(201);
    const bound = await api('GET', '/api/v1/namespaces/default/pods/bind-me');
    expect((bound.body.spec as { nodeName?: string }).nodeName).toBe('node-x');
  });
});

describe('pods/binding resourceVersion', () => {
  it('refuses a Binding whose metadata.resourceVersion is stale (409), and binds at the current one', async () => {
    const created = await api('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bind-rv' },
      spec: { schedulerName: 'nobody', containers: [{ name: 'c', image: 'x' }] },
    });
    const stale = (created.body.metadata as { resourceVersion: string }).resourceVersion;
    const relabeled = await api(
      'PATCH',
      '/api/v1/namespaces/default/pods/bind-rv',
      { metadata: { labels: { moved: 'yes' } } },
      'application/merge-patch+json',
    );
    const current = (relabeled.body.metadata as { resourceVersion: string }).resourceVersion;
    const binding = (rv: string) => ({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'bind-rv', resourceVersion: rv },
      target: { kind: 'Node', name: 'node-x' },
    });
    const refused = await api(
      'POST',
      '/api/v1/namespaces/default/pods/bind-rv/binding',
      binding(stale),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(
      `Operation cannot be fulfilled on pods "bind-rv": Precondition failed: ResourceVersion in precondition: ${stale}, ResourceVersion in object meta: ${current}`,
    );
    expect(
      (await api('POST', '/api/v1/namespaces/default/pods/bind-rv/binding', binding(current)))
        .status,
    ).toBe(201);
  });
});

describe('server-side apply', () => {
  it('to the status of a missing object is 404 and creates nothing (kubectl apply --server-side --subresource=status)', async () => {
    const cm = file(
      'status-missing.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ghost\n  namespace: default\nstatus:\n  replicas: 3\n',
    );
    const r = await c.kubectl(['apply', '--server-side', '--subresource=status', '-f', cm]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('deployments.apps "ghost" not found');
    const raw = await api(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/ghost/status?fieldManager=t',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ghost' },
        status: { replicas: 3 },
      },
      'application/apply-patch+yaml',
    );
    expect(raw.status).toBe(404);
    expect(raw.body.reason).toBe('NotFound');
    expect((await api('GET', '/apis/apps/v1/namespaces/default/deployments/ghost')).status).toBe(
      404,
    );
  });
});

describe('Service ClusterIPs and NodePorts', () => {
  const yaml = (name: string, nodePort: number, extra = '', clusterIP = '') =>
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: NodePort\n${clusterIP ? `  clusterIP: ${clusterIP}\n` : ''}  selector:\n    app: x\n  ports:\n  - port: 80\n    nodePort: ${nodePort}\n${extra}`;
  const nodePortOf = async (name: string) => {
    const r = await api('GET', `/api/v1/namespaces/default/services/${name}`);
    return (r.body.spec as { ports: { nodePort?: number }[] }).ports[0].nodePort;
  };

  it('an invalid Service asking for NodePort 30556 and a ClusterIP leaves both free: the next valid Service takes them', async () => {
    const kubeSvc = await api('GET', '/api/v1/namespaces/default/services/kubernetes');
    const ip = (kubeSvc.body.spec as { clusterIP: string }).clusterIP.replace(/\.\d+$/, '.77');
    // The second port repeats the first's name: the Service is invalid after its values were allocated.
    const bad = await c.kubectl([
      'create',
      '-f',
      file('bad.yaml', yaml('bad', 30556, '  - port: 81\n    name: ""\n', ip)),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The Service "bad" is invalid');
    const good = await c.kubectl(['create', '-f', file('good.yaml', yaml('good', 30556, '', ip))]);
    expect(good.code, good.stderr).toBe(0);
    expect(await nodePortOf('good')).toBe(30556);
    // Taken now: a third Service asking for either is refused.
    const third = await c.kubectl(['create', '-f', file('third.yaml', yaml('third', 30556))]);
    expect(third.stderr).toContain(
      'spec.ports[0].nodePort: Invalid value: 30556: provided port is already allocated',
    );
  });

  it('a create that meets AlreadyExists gives its NodePort back', async () => {
    expect(
      (
        await c.kubectl([
          'create',
          '-f',
          file('dup1.yaml', yaml('dup', 30557).replace('30557', '30570')),
        ])
      ).code,
    ).toBe(0);
    const again = await c.kubectl(['create', '-f', file('dup2.yaml', yaml('dup', 30557))]);
    expect(again.stderr).toContain('services "dup" already exists');
    expect(
      (await c.kubectl(['create', '-f', file('takes-30557.yaml', yaml('takes-30557', 30557))]))
        .code,
    ).toBe(0);
  });

  it('an update frees the old NodePort only once it is stored, and a failed update keeps the old one and frees the new', async () => {
    expect((await c.kubectl(['create', '-f', file('mover.yaml', yaml('mover', 30558))])).code).toBe(
      0,
    );
    // Invalid update (the new port's name is not a valid port name): 30559 stays free, 30558 stays held.
    const failed = await api(
      'PATCH',
      '/api/v1/namespaces/default/services/mover',
      { spec: { ports: [{ port: 80, nodePort: 30559, name: 'Not_Valid' }] } },
      'application/strategic-merge-patch+json',
    );
    expect(failed.status).toBe(422);
    expect(await nodePortOf('mover')).toBe(30558);
    const steal = await c.kubectl(['create', '-f', file('steal.yaml', yaml('steal', 30558))]);
    expect(steal.stderr).toContain('provided port is already allocated');
    // A valid move: 30559 taken by mover, 30558 free for someone else.
    const moved = await c.kubectl([
      'patch',
      'service',
      'mover',
      '-p',
      '{"spec":{"ports":[{"port":80,"nodePort":30559}]}}',
    ]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(await nodePortOf('mover')).toBe(30559);
    expect(
      (await c.kubectl(['create', '-f', file('steal2.yaml', yaml('steal2', 30558))])).code,
    ).toBe(0);
    const blocked = await c.kubectl(['create', '-f', file('blocked.yaml', yaml('blocked', 30559))]);
    expect(blocked.stderr).toContain('provided port is already allocated');
  });

  it('a server-side dry run answers as the real create would: a taken NodePort is refused, a free one reserved by nobody', async () => {
    expect(
      (await c.kubectl(['create', '-f', file('dry-holder.yaml', yaml('dry-holder', 30581))])).code,
    ).toBe(0);
    const taken = await c.kubectl([
      'create',
      '-f',
      file('dry-taken.yaml', yaml('dry-taken', 30581)),
      '--dry-run=server',
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(
      'spec.ports[0].nodePort: Invalid value: 30581: provided port is already allocated',
    );
    const free = await c.kubectl([
      'create',
      '-f',
      file('dry-free.yaml', yaml('dry-free', 30580)),
      '--dry-run=server',
    ]);
    expect(free.code, free.stderr).toBe(0);
    expect(
      (await c.kubectl(['create', '-f', file('real-free.yaml', yaml('real-free', 30580))])).code,
    ).toBe(0);
  });

  it('a Service removed when its last finalizer goes frees its NodePort at once', async () => {
    const held = yaml('held-by-finalizer', 30582).replace(
      'metadata:\n',
      'metadata:\n  finalizers:\n  - example.com/hold\n',
    );
    expect((await c.kubectl(['create', '-f', file('held.yaml', held)])).code).toBe(0);
    expect((await c.kubectl(['delete', 'service', 'held-by-finalizer', '--wait=false'])).code).toBe(
      0,
    );
    const patched = await c.kubectl([
      'patch',
      'service',
      'held-by-finalizer',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    expect((await api('GET', '/api/v1/namespaces/default/services/held-by-finalizer')).status).toBe(
      404,
    );
    const next = await c.kubectl([
      'create',
      '-f',
      file('after-finalizer.yaml', yaml('after-finalizer', 30582)),
    ]);
    expect(next.code, next.stderr).toBe(0);
  });

  it('deleting a Service frees its NodePort', async () => {
    expect((await c.kubectl(['delete', 'service', 'steal2'])).code).toBe(0);
    expect(
      (await c.kubectl(['create', '-f', file('steal3.yaml', yaml('steal3', 30558))])).code,
    ).toBe(0);
  });
});
