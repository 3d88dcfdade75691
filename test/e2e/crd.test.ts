// End to end with the real kubectl: a CustomResourceDefinition with a structural schema, printer
// columns, status and scale subresources and two versions; its custom resources through every
// path a user takes (apply, get, explain, get all, watch, SSA, /status, scale, patch types), and
// deleting the CRD deleting them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  killGroup,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';

let c: Cluster;
const NS = 'crs';
const BASE = `/apis/e2e.example.com/v1/namespaces/${NS}/widgets`;

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.e2e.example.com
spec:
  group: e2e.example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
      additionalPrinterColumns:
        - name: Size
          type: integer
          jsonPath: .spec.size
        - name: Color
          type: string
          jsonPath: .spec.color
        - name: Ready
          type: string
          jsonPath: .status.conditions[?(@.type=="Ready")].status
        - name: Age
          type: date
          jsonPath: .metadata.creationTimestamp
      selectableFields:
        - jsonPath: .spec.color
      schema:
        openAPIV3Schema:
          type: object
          description: A Widget is a thing made to test custom resources.
          properties:
            spec:
              type: object
              description: What the widget should be.
              required: [size]
              x-kubernetes-validations:
                - rule: self.size >= self.replicas
                  message: size must be at least replicas
              properties:
                size:
                  type: integer
                  minimum: 1
                  maximum: 10
                  description: How big the widget is, from 1 to 10.
                color:
                  type: string
                  enum: [red, green, blue]
                  default: blue
                name:
                  type: string
                  pattern: '^[a-z]+$'
                replicas:
                  type: integer
                  default: 1
                port:
                  x-kubernetes-int-or-string: true
                extra:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
            status:
              type: object
              properties:
                replicas:
                  type: integer
                conditions:
                  type: array
                  items:
                    type: object
                    properties:
                      type: { type: string }
                      status: { type: string }
    - name: v1beta1
      served: true
      storage: false
      deprecated: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`;

async function ok(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const widget = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'e2e.example.com/v1', kind: 'Widget', metadata: { name }, spec });

beforeAll(async () => {
  c = await startCluster();
  await ok(['create', 'namespace', NS]);
  await ok(['apply', '-f', '-'], CRD);
  await ok(['wait', '--for=condition=established', '--timeout=20s', 'crd/widgets.e2e.example.com']);
}, 60_000);

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

describe('CustomResourceDefinitions', () => {
  it('marks the CRD NamesAccepted and Established with its accepted names', async () => {
    const crd = JSON.parse(await ok(['get', 'crd', 'widgets.e2e.example.com', '-o', 'json']));
    const cond = (t: string) =>
      crd.status.conditions.find((x: { type: string }) => x.type === t)?.status;
    expect(cond('NamesAccepted')).toBe('True');
    expect(cond('Established')).toBe('True');
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'widgets', kind: 'Widget' });
    expect(crd.status.storedVersions).toEqual(['v1']);
  });

  it('refuses an invalid widget with one 422 naming every bad field, and stores nothing', async () => {
    const res = await c.fetch(BASE, {
      method: 'POST',
      body: widget('bad', { size: 'big', color: 'purple', name: 'Not-Lower', port: 1.5 }),
    });
    expect(res.status).toBe(422);
    const status = await res.json();
    const fields = status.details.causes.map((x: { field: string }) => x.field).sort();
    // A wrongly typed value leaves the CEL rules unchecked, and upstream says so.
    expect(fields).toEqual(['<nil>', 'spec.color', 'spec.name', 'spec.port', 'spec.size']);
    expect(status.message).toContain(
      'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
    );
    expect(status.message).toContain(
      'spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"',
    );
    const missing = await c.fetch(BASE, { method: 'POST', body: widget('bad', { size: 11 }) });
    expect(missing.status).toBe(422);
    expect((await missing.json()).message).toContain(
      'spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
    );
    const rule = await c.fetch(BASE, {
      method: 'POST',
      body: widget('bad', { size: 2, replicas: 5 }),
    });
    expect(rule.status).toBe(422);
    expect((await rule.json()).message).toContain(
      'spec: Invalid value: "object": size must be at least replicas',
    );
    expect((await c.fetch(`${BASE}/bad`)).status).toBe(404);
  });

  it('prunes unknown fields, applies defaults, and prints the printer columns', async () => {
    const res = await c.fetch(`${BASE}?fieldValidation=Ignore`, {
      method: 'POST',
      body: widget('small', { size: 2, unknown: 'dropped', extra: { kept: { deep: true } } }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = await res.json();
    expect(created.spec).toEqual({
      size: 2,
      color: 'blue',
      replicas: 1,
      extra: { kept: { deep: true } },
    });
    expect(created.metadata.generation).toBe(1);
    await ok(
      ['apply', '-n', NS, '-f', '-'],
      widget('big', { size: 9, color: 'red', port: 'http' }),
    );
    const out = await ok(['get', 'widgets', '-n', NS]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SIZE\s+COLOR\s+READY\s+AGE$/);
    // No Ready condition yet: an empty cell, as kubectl prints the nil upstream sends.
    expect(out).toMatch(/^big\s+9\s+red\s+\d+s$/m);
    expect(out).toMatch(/^small\s+2\s+blue\s+\d+s$/m);
    // The short name, a field selector and the other served version reach the same objects.
    expect(
      await ok(['get', 'wd', '-n', NS, '--field-selector', 'metadata.name=big', '-o', 'name']),
    ).toBe('widget.e2e.example.com/big\n');
    const beta = await c.fetch(`/apis/e2e.example.com/v1beta1/namespaces/${NS}/widgets/big`);
    expect(beta.headers.get('warning')).toBe(
      '299 - "e2e.example.com/v1beta1 Widget is deprecated"',
    );
    expect((await beta.json()).apiVersion).toBe('e2e.example.com/v1beta1');
  });

  it('kubectl explain reads the schema, and get all lists widgets', async () => {
    const explain = await ok(['explain', 'widget.spec.size']);
    expect(explain).toContain('How big the widget is, from 1 to 10.');
    const all = await ok(['get', 'all', '-n', NS, '-o', 'name']);
    expect(all).toContain('widget.e2e.example.com/big');
  });

  it('a watch sees ADDED, MODIFIED and DELETED', async () => {
    const cacheDir = path.join(tempDir('edgeplane-kube-cache-'), 'cache');
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        c.kubeconfig,
        '--cache-dir',
        cacheDir,
        'get',
        'widgets',
        '-n',
        NS,
        '-w',
        '--output-watch-events',
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const waitFor = async (re: RegExp) => {
      const until = Date.now() + 15_000;
      while (!re.test(out)) {
        if (Date.now() > until) throw new Error(`no ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/^ADDED\s+big\s/m);
      await ok(['apply', '-n', NS, '-f', '-'], widget('watched', { size: 3 }));
      await waitFor(/^ADDED\s+watched\s/m);
      await ok(['label', 'widget', 'watched', '-n', NS, 'seen=yes']);
      await waitFor(/^MODIFIED\s+watched\s/m);
      await ok(['delete', 'widget', 'watched', '-n', NS]);
      await waitFor(/^DELETED\s+watched\s/m);
    } finally {
      killGroup(child.pid!, 'SIGKILL');
    }
  });

  it('server-side apply conflicts between two field managers', async () => {
    await ok(
      ['apply', '--server-side', '--field-manager=alice', '-n', NS, '-f', '-'],
      widget('shared', { size: 4 }),
    );
    const r = await c.kubectl(
      ['apply', '--server-side', '--field-manager=bob', '-n', NS, '-f', '-'],
      { input: widget('shared', { size: 5 }) },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/conflict with "alice"/);
    expect(r.stderr).toContain('.spec.size');
    await ok(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=bob', '-n', NS, '-f', '-'],
      widget('shared', { size: 5 }),
    );
    const got = JSON.parse(await ok(['get', 'widget', 'shared', '-n', NS, '-o', 'json']));
    expect(got.spec.size).toBe(5);
  });

  it('/status writes change status only; main writes keep status; scale writes replicas', async () => {
    await ok([
      'patch',
      'widget',
      'big',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"spec":{"size":1},"status":{"replicas":2,"conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    let got = JSON.parse(await ok(['get', 'widget', 'big', '-n', NS, '-o', 'json']));
    expect(got.spec.size).toBe(9);
    expect(got.status.replicas).toBe(2);
    expect(got.metadata.generation).toBe(1);
    expect(await ok(['get', 'widget', 'big', '-n', NS])).toMatch(/^big\s+9\s+red\s+True\s+/m);
    await ok([
      'patch',
      'widget',
      'big',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"size":8},"status":{"replicas":7}}',
    ]);
    got = JSON.parse(await ok(['get', 'widget', 'big', '-n', NS, '-o', 'json']));
    expect(got.spec.size).toBe(8);
    expect(got.status.replicas).toBe(2);
    expect(got.metadata.generation).toBe(2);
    await ok(['scale', 'widget', 'big', '-n', NS, '--replicas=3']);
    const scale = await (await c.fetch(`${BASE}/big/scale`)).json();
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 3 }, status: { replicas: 2 } });
  });

  it('strategic merge patch is 415 for custom resources; JSON and merge patches work', async () => {
    const smp = await c.fetch(`${BASE}/big`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: '{"spec":{"size":2}}',
    });
    expect(smp.status).toBe(415);
    expect((await smp.json()).message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
    await ok([
      'patch',
      'widget',
      'big',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/size","value":6}]',
    ]);
    expect(JSON.parse(await ok(['get', 'widget', 'big', '-n', NS, '-o', 'json'])).spec.size).toBe(
      6,
    );
    // Client-side apply of an existing widget: kubectl sees no strategic merge patch in the
    // OpenAPI PATCH operation and sends a merge patch.
    await ok(
      ['apply', '-n', NS, '-f', '-'],
      widget('big', { size: 7, color: 'red', port: 'http' }),
    );
    const applied = JSON.parse(await ok(['get', 'widget', 'big', '-n', NS, '-o', 'json']));
    expect(applied.spec.size).toBe(7);
  });

  it('kubectl get --field-selector selects by a selectable field', async () => {
    await ok(['apply', '-n', NS, '-f', '-'], widget('sel-green', { size: 2, color: 'green' }));
    await ok(['apply', '-n', NS, '-f', '-'], widget('sel-plain', { size: 2 }));
    const out = await ok([
      'get',
      'widgets',
      '-n',
      NS,
      '--field-selector',
      'spec.color=green',
      '-o',
      'name',
    ]);
    expect(out.trim().split('\n')).toEqual(['widget.e2e.example.com/sel-green']);
    const bad = await c.kubectl(['get', 'widgets', '-n', NS, '--field-selector', 'spec.size=2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('field label not supported: spec.size');
  });

  it('a ConfigMap owned by a widget is garbage collected with it', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await c.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return res.json();
    };
    const owner = await post(BASE, JSON.parse(widget('owner', { size: 1 })));
    const ref = { apiVersion: 'e2e.example.com/v1', kind: 'Widget', name: 'owner' };
    await post(`/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owned-by-widget', ownerReferences: [{ ...ref, uid: owner.metadata.uid }] },
    });
    await ok(['delete', 'widget', 'owner', '-n', NS]);
    await ok(['wait', '--for=delete', 'configmap/owned-by-widget', '-n', NS, '--timeout=20s']);
  });

  it('a namespace being deleted deletes its custom resources and stays Terminating until they are gone', async () => {
    await ok(['create', 'namespace', 'doomed']);
    const held = JSON.parse(widget('held', { size: 1 }));
    held.metadata.finalizers = ['e2e.example.com/hold'];
    await ok(['apply', '-n', 'doomed', '-f', '-'], JSON.stringify(held));
    await ok(['apply', '-n', 'doomed', '-f', '-'], widget('goner', { size: 1 }));
    await ok(['delete', 'namespace', 'doomed', '--wait=false']);
    const path = '/apis/e2e.example.com/v1/namespaces/doomed/widgets';
    const until = Date.now() + 20_000;
    let ns: {
      status: { phase: string; conditions?: { type: string; status: string; message: string }[] };
    };
    let names: string[] = [];
    for (;;) {
      ns = JSON.parse(await ok(['get', 'namespace', 'doomed', '-o', 'json']));
      names = (await (await c.fetch(path)).json()).items.map(
        (o: { metadata: { name: string } }) => o.metadata.name,
      );
      const remaining = ns.status.conditions?.find(
        (x) => x.type === 'NamespaceFinalizersRemaining',
      );
      if ((names.length === 1 && remaining?.status === 'True') || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(names).toEqual(['held']);
    expect(ns.status.phase).toBe('Terminating');
    expect(ns.status.conditions?.find((x) => x.type === 'NamespaceContentRemaining')?.message).toBe(
      'Some resources are remaining: widgets.e2e.example.com has 1 resource instances',
    );
    await ok([
      'patch',
      'widget',
      'held',
      '-n',
      'doomed',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    await ok(['wait', '--for=delete', 'namespace/doomed', '--timeout=20s']);
  });

  it('deleting the CRD deletes its custom resources, then the CRD', async () => {
    await ok(['delete', 'crd', 'widgets.e2e.example.com', '--timeout=30s']);
    const crd = await c.fetch(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.e2e.example.com',
    );
    expect(crd.status).toBe(404);
    const left = await c.fetch(BASE);
    expect(left.status).toBe(404);
    const disc = await (await c.fetch('/apis')).json();
    expect(disc.groups.map((g: { name: string }) => g.name)).not.toContain('e2e.example.com');
    // The same CRD again finds no objects left behind in storage.
    await ok(['apply', '-f', '-'], CRD);
    await ok([
      'wait',
      '--for=condition=established',
      '--timeout=20s',
      'crd/widgets.e2e.example.com',
    ]);
    expect((await (await c.fetch(BASE)).json()).items).toEqual([]);
  });
});
