// The real kubectl reads our OpenAPI v3 documents: explain renders our fields and descriptions, and strict apply
// trusts the server's fieldValidation. A tiny https stub serves discovery and OpenAPI from our modules.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_VERBS, RESOURCES, groupVersion, type ResourceInfo } from '../../src/api/resources';
import { openApiV3Document, openApiV3Index } from '../../src/registry/openapi';

const DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface Seen {
  method: string;
  url: string;
  body: string;
}

function resourceEntry(r: ResourceInfo) {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: ALL_VERBS,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    subresources: r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: s.kind ?? { group: r.group, version: r.version, kind: r.kind },
      verbs: s.verbs,
    })),
  };
}

/** Aggregated discovery (kubectl-wire.md §2.2) for the core group or for all named groups, from resources.ts. */
function discovery(core: boolean) {
  const groups = [
    ...new Set(RESOURCES.filter((r) => (r.group === '') === core).map((r) => r.group)),
  ];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: core ? { creationTimestamp: null } : { name: g, creationTimestamp: null },
      versions: [...new Set(RESOURCES.filter((r) => r.group === g).map((r) => r.version))].map(
        (v) => ({
          version: v,
          freshness: 'Current',
          resources: RESOURCES.filter((r) => r.group === g && r.version === v).map(resourceEntry),
        }),
      ),
    })),
  };
}

function statusNotFound(what: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${what} not found`,
    reason: 'NotFound',
    code: 404,
  };
}

describe('kubectl against our OpenAPI v3', () => {
  let dir: string;
  let server: Server;
  let kubeconfig: string;
  const seen: Seen[] = [];
  /** The stored Deployment "demo", once a test has created it. */
  let stored: Record<string, any> | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgeplane-openapi-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'k'),
        '-out',
        join(dir, 'c'),
      ],
      { stdio: 'ignore' },
    );
    server = createServer(
      { key: readFileSync(join(dir, 'k')), cert: readFileSync(join(dir, 'c')) },
      (req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const url = new URL(req.url ?? '/', 'https://127.0.0.1');
          seen.push({ method: req.method ?? '', url: req.url ?? '', body });
          const send = (
            code: number,
            obj: unknown,
            type = 'application/json',
            headers: Record<string, string> = {},
          ) => {
            res.writeHead(code, { 'Content-Type': type, ...headers });
            res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
          };
          const p = url.pathname;
          if (p === '/version')
            return send(200, {
              major: '1',
              minor: '32',
              gitVersion: 'v1.32.4',
              platform: 'linux/amd64',
            });
          if (p === '/api' || p === '/apis')
            return send(200, discovery(p === '/api'), DISCOVERY_TYPE);
          if (p === '/openapi/v3') return send(200, openApiV3Index());
          if (p.startsWith('/openapi/v3/')) {
            const doc = openApiV3Document(p.slice('/openapi/v3/'.length));
            if (!doc) return send(404, statusNotFound(p));
            if (req.headers['if-none-match'] === doc.etag)
              return send(304, '', 'application/json', { ETag: doc.etag });
            return send(200, doc.body, 'application/json', { ETag: doc.etag });
          }
          if (req.method === 'GET' && p === '/apis/apps/v1/namespaces/default/deployments/demo') {
            return stored
              ? send(200, stored)
              : send(404, statusNotFound('deployments.apps "demo"'));
          }
          if (
            req.method === 'PATCH' &&
            p === '/apis/apps/v1/namespaces/default/deployments/demo' &&
            stored
          ) {
            return send(200, stored); // the stub does not merge; kubectl only needs a 200 with an object
          }
          if (req.method === 'POST' && p === '/apis/apps/v1/namespaces/default/deployments') {
            const obj = JSON.parse(body);
            obj.metadata = {
              ...obj.metadata,
              uid: '0b7b4a0e-1111-4222-8333-944445555666',
              resourceVersion: '1',
            };
            stored = obj;
            return send(201, obj);
          }
          return send(404, statusNotFound(p));
        });
      },
    );
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: t',
        'clusters: [{name: t, cluster: {server: "https://127.0.0.1:' +
          port +
          '", insecure-skip-tls-verify: true}}]',
        'users: [{name: t, user: {token: test-token}}]',
        'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs kubectl without blocking the event loop (the stub answers from this process). */
  function kubectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((done) => {
      execFile(
        'kubectl',
        [...args, '--cache-dir', join(dir, 'cache')],
        {
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          done({
            code,
            out: stdout,
            err: stderr + (error && typeof error.code !== 'number' ? String(error) : ''),
          });
        },
      );
    });
  }

  /** kubectl wraps long descriptions; compare with whitespace collapsed. */
  const flat = (s: string) => s.replace(/\s+/g, ' ');

  it('explains pod.spec.containers with our fields and descriptions', async () => {
    const r = await kubectl('explain', 'pod.spec.containers');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/KIND:\s+Pod/);
    for (const f of [
      'livenessProbe',
      'imagePullPolicy',
      'volumeMounts',
      'securityContext',
      'resources',
      'env',
    ])
      expect(r.out).toContain(f);
    expect(flat(r.out)).toContain("The pod's containers; at least one.");
    expect(flat(r.out)).toContain('Periodic check that the container is alive');
    expect(r.out).toContain('-required-');
  });

  it('explains deployment.spec.strategy, including the enum of type', async () => {
    const r = await kubectl('explain', 'deployment.spec.strategy');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/GROUP:\s+apps/);
    expect(r.out).toContain('rollingUpdate');
    expect(flat(r.out)).toContain('How existing pods are replaced by new ones.');
    expect(flat(r.out)).toMatch(/Recreate.*RollingUpdate/);
  });

  it('explains pod.spec.containers.livenessProbe.httpGet down to IntOrString port', async () => {
    const r = await kubectl('explain', 'pod.spec.containers.livenessProbe.httpGet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/port\s+<IntOrString>\s+-required-/);
    expect(r.out).toContain('httpHeaders');
    expect(flat(r.out)).toContain('Send an HTTP GET; a status from 200 to 399 is success.');
  });

  it('applies with --validate=strict by trusting the server: POST carries fieldValidation=Strict', async () => {
    const file = join(dir, 'deployment.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: demo}',
        'spec:',
        '  replicas: 2',
        '  selector: {matchLabels: {app: demo}}',
        '  template:',
        '    metadata: {labels: {app: demo}}',
        '    spec: {containers: [{name: app, image: "nginx:1.27", bogusField: 1}]}',
        '',
      ].join('\n'),
    );
    seen.length = 0;
    const r = await kubectl('apply', '-f', file, '--validate=strict');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('deployment.apps/demo created');
    const post = seen.find((s) => s.method === 'POST');
    expect(post?.url).toContain('fieldValidation=Strict');
    // kubectl did no client-side validation: the unknown field reached the server, which is where Strict applies.
    expect(JSON.parse(post!.body).spec.template.spec.containers[0].bogusField).toBe(1);
    expect(seen.some((s) => s.url.startsWith('/openapi/v2'))).toBe(false);
  });

  it('computes the update patch from our schema: strategic merge keyed by container name, no fallback', async () => {
    expect(stored, 'runs after the create test').toBeDefined();
    const file = join(dir, 'deployment.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: demo}',
        'spec:',
        '  replicas: 2',
        '  selector: {matchLabels: {app: demo}}',
        '  template:',
        '    metadata: {labels: {app: demo}}',
        '    spec: {containers: [{name: app, image: "nginx:1.28", env: [{name: A, value: "2"}]}]}',
        '',
      ].join('\n'),
    );
    seen.length = 0;
    const r = await kubectl('apply', '-f', file, '--validate=strict', '-v=5');
    expect(r.code).toBe(0);
    expect(r.out).toContain('deployment.apps/demo configured');
    // patcher.go logs this and falls back to compiled-in types when our v3 schema cannot drive the patch.
    expect(r.err).not.toContain('error calculating patch from openapi');
    const patch = seen.find((s) => s.method === 'PATCH');
    expect(patch?.url).toContain('fieldValidation=Strict');
    const body = JSON.parse(patch!.body);
    // Only our x-kubernetes-patch-merge-key makes this keyed: with it stripped kubectl sends containers as atomic.
    expect(body.spec.template.spec['$setElementOrder/containers']).toEqual([{ name: 'app' }]);
    expect(body.spec.template.spec.containers[0]).toMatchObject({
      name: 'app',
      image: 'nginx:1.28',
    });
  });
});
