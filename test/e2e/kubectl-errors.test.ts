// End to end: the errors kubectl users meet: 409 on stale writes, 422 with every field, strict/warn validation, dry-run, 401, 413, YAML bombs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, run, startCluster, tempDir, type Cluster } from '../helpers/cluster';

let c: Cluster;
let dir: string;

beforeAll(async () => {
  c = await startCluster();
  dir = tempDir('edgeplane-errors-');
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

async function status(p: string): Promise<number> {
  return (await c.fetch(p)).status;
}

describe('conflicts and validation', () => {
  it('replace with a stale resourceVersion is refused with 409 and leaves the newer object', async () => {
    expect((await c.kubectl(['create', 'configmap', 'stale', '--from-literal=a=1'])).code).toBe(0);
    const old = await c.kubectl(['get', 'configmap', 'stale', '-o', 'yaml']);
    expect(old.code).toBe(0);
    const oldFile = file('stale.yaml', old.stdout.replace('a: "1"', 'a: "3"'));
    expect(
      (
        await c.kubectl([
          'patch',
          'configmap',
          'stale',
          '--type',
          'merge',
          '-p',
          '{"data":{"a":"2"}}',
        ])
      ).code,
    ).toBe(0);

    const r = await c.kubectl(['replace', '-f', oldFile]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `Error from server (Conflict): error when replacing "${oldFile}": Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again`,
    );
    expect(
      (await (await c.fetch('/api/v1/namespaces/default/configmaps/stale')).json()).data,
    ).toEqual({ a: '2' });
  });

  const invalid = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  replicas: -1
  selector:
    matchLabels: {app: broken}
  template:
    metadata:
      labels: {app: other}
    spec:
      containers:
      - name: app
        image: ""
        ports:
        - containerPort: 70000
`;

  it('an invalid manifest gets 422 listing every bad field, one line each, and nothing is stored', async () => {
    const r = await c.kubectl(['apply', '-f', file('invalid.yaml', invalid)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'The Deployment "broken" is invalid: ',
      '* spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      '* spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
      '* spec.template.spec.containers[0].image: Required value',
      '* spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
    expect(await status('/apis/apps/v1/namespaces/default/deployments/broken')).toBe(404);
    const get = await c.kubectl(['get', 'deployment', 'broken']);
    expect(get.code).toBe(1);
    expect(get.stderr.trim()).toBe(
      'Error from server (NotFound): deployments.apps "broken" not found',
    );

    const raw = await c.fetch('/apis/apps/v1/namespaces/default/deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: invalid,
    });
    expect(raw.status).toBe(422);
    const body = await raw.json();
    expect(body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      details: { name: 'broken', group: 'apps', kind: 'Deployment' },
    });
    expect(body.details.causes.map((x: any) => x.field)).toEqual([
      'spec.replicas',
      'spec.template.metadata.labels',
      'spec.template.spec.containers[0].image',
      'spec.template.spec.containers[0].ports[0].containerPort',
    ]);
    expect(await status('/apis/apps/v1/namespaces/default/deployments/broken')).toBe(404);
  });

  const unknown = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        bogusField: true
`;

  it('an unknown field under --validate=strict gets 400 strict decoding error and nothing is stored', async () => {
    const f = file('strict.yaml', unknown('strict'));
    const r = await c.kubectl(['apply', '-f', f, '--validate=strict']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `Error from server (BadRequest): error when creating "${f}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].bogusField"`,
    );
    expect(await status('/apis/apps/v1/namespaces/default/deployments/strict')).toBe(404);
  });

  it('an unknown field under --validate=warn prints a warning and creates the object', async () => {
    const r = await c.kubectl([
      'apply',
      '-f',
      file('warn.yaml', unknown('warned')),
      '--validate=warn',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('deployment.apps/warned created');
    expect(r.stderr.trim()).toBe(
      'Warning: unknown field "spec.template.spec.containers[0].bogusField"',
    );
    expect(await status('/apis/apps/v1/namespaces/default/deployments/warned')).toBe(200);
  });

  it('create --dry-run=server prints created but stores nothing', async () => {
    const f = file(
      'dry.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\ndata:\n  a: "1"\n',
    );
    const r = await c.kubectl(['create', '-f', f, '--dry-run=server']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('configmap/dry created (server dry run)');
    expect(await status('/api/v1/namespaces/default/configmaps/dry')).toBe(404);
    const get = await c.kubectl(['get', 'configmap', 'dry']);
    expect(get.code).toBe(1);
    expect(get.stderr.trim()).toBe('Error from server (NotFound): configmaps "dry" not found');
  });
});

describe('authentication', () => {
  /** A kubeconfig for the same cluster whose user is `user` (no admin token). */
  function kubeconfigWith(user: string): string {
    const ca = path.join(c.stateDir, 'tls', 'server.crt');
    return file(
      `kubeconfig-${Math.random().toString(36).slice(2)}`,
      `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "${c.url}", certificate-authority: "${ca}"}
contexts:
- name: local
  context: {cluster: local, user: someone}
current-context: local
users:
- name: someone
  user: ${user}
`,
    );
  }

  const kubectlAs = (kubeconfig: string, args: string[]) =>
    run(
      'kubectl',
      [
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        path.join(tempDir('edgeplane-kube-cache-'), 'cache'),
        ...args,
      ],
      { timeoutMs: 60_000 },
    );

  it('kubectl without a token is told to log in (401)', async () => {
    // A client certificate the server does not ask for keeps kubectl from prompting, and no Authorization header is sent.
    const key = path.join(dir, 'nobody.key');
    const crt = path.join(dir, 'nobody.crt');
    const gen = await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-subj',
      '/CN=nobody',
      '-days',
      '1',
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const r = await kubectlAs(
      kubeconfigWith(`{client-certificate: "${crt}", client-key: "${key}"}`),
      ['get', 'pods'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'error: You must be logged in to the server (the server has asked for the client to provide credentials)',
    );

    const raw = await c.fetch('/api/v1/namespaces/default/pods', { token: null });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await c.fetch('/healthz', { token: null })).status).toBe(200);
    expect((await c.fetch('/version', { token: null })).status).toBe(200);
  });

  it('kubectl with a wrong token is told to log in (401)', async () => {
    const r = await kubectlAs(kubeconfigWith('{token: not-the-admin-token}'), ['get', 'pods']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'error: You must be logged in to the server (the server has asked for the client to provide credentials)',
    );
    const raw = await c.fetch('/api/v1/namespaces/default/pods', { token: 'not-the-admin-token' });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});

describe('request limits', () => {
  it('a request body over 3 MiB gets 413 and nothing is stored', async () => {
    const big = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big' },
      data: { blob: 'x'.repeat(3 * 1024 * 1024 + 1024) },
    });
    const raw = await c.fetch('/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: big,
    });
    expect(raw.status).toBe(413);
    expect(await raw.json()).toMatchObject({
      kind: 'Status',
      reason: 'RequestEntityTooLarge',
      code: 413,
    });

    const f = file('big.json', big);
    const r = await c.kubectl(['create', '-f', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Error from server \(RequestEntityTooLarge\): error when creating ".*big\.json": /m,
    );
    expect(await status('/api/v1/namespaces/default/configmaps/big')).toBe(404);
  });

  /** A billion-laughs document: nine levels of nine-fold aliases, about 387 million strings if expanded. */
  const aliasBomb = (() => {
    const out = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: bomb}',
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ];
    let prev = 'a';
    for (const n of 'bcdefghi') {
      out.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
      prev = n;
    }
    out.push(`data: {x: *${prev}}`);
    return out.join('\n') + '\n';
  })();

  async function timed(
    p: string,
    init: Parameters<Cluster['fetch']>[1],
  ): Promise<{ status: number; ms: number; body: any }> {
    const t0 = Date.now();
    const res = await c.fetch(p, init);
    const ms = Date.now() - t0;
    return { status: res.status, ms, body: await res.json().catch(() => null) };
  }

  it('a YAML alias bomb sent as application/yaml is refused with a 4xx quickly', async () => {
    const r = await timed('/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: aliasBomb,
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.ms).toBeLessThan(2_000);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure' });
    expect(await status('/api/v1/namespaces/default/configmaps/bomb')).toBe(404);
  });

  it('a YAML alias bomb sent as a server-side apply patch is refused with a 4xx quickly', async () => {
    const r = await timed('/api/v1/namespaces/default/configmaps/bomb?fieldManager=bomber', {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: aliasBomb,
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.ms).toBeLessThan(2_000);
    expect(await status('/api/v1/namespaces/default/configmaps/bomb')).toBe(404);
    expect((await c.fetch('/healthz')).status).toBe(200);
  });

  it('a deeply nested YAML document is refused with a 4xx quickly', async () => {
    const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    const r = await timed('/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: deep,
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    // Refused by a depth limit (Kubernetes' YAML decoder stops at 10000 levels), not by running the parser out of stack.
    expect(r.body?.message).not.toMatch(/call stack/i);
    expect(r.ms).toBeLessThan(2_000);
    expect(await status('/api/v1/namespaces/default/configmaps/deep')).toBe(404);
  });
});
