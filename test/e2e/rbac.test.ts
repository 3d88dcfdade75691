// RBAC with the real kubectl: a user token from `edgeplane user create`, bound to `view` in one
// namespace, reads there and nowhere else, cannot write, lists its rights with `auth can-i --list`;
// binding to cluster-admin is refused as escalation; impersonation needs the impersonate verb.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  ROOT,
  run,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';
import { newUserToken, userTokenSecret } from '../../src/cli/user';
import { kubeconfigYaml } from '../../src/cli/kubeconfig';

let c: Cluster;
let dir: string;
const configs: Record<string, string> = {};

async function edgeplane(args: string[]) {
  const r = await run(process.execPath, [
    path.join(ROOT, 'bin', 'edgeplane.cjs'),
    ...args,
    '--kubeconfig',
    c.kubeconfig,
  ]);
  if (r.code !== 0) throw new Error(`edgeplane ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** kubectl as a user (its own kubeconfig and discovery cache). */
function as(user: string, args: string[]) {
  return run('kubectl', [
    '--kubeconfig',
    configs[user],
    '--cache-dir',
    path.join(dir, `cache-${user}`),
    ...args,
  ]);
}

async function admin(args: string[]) {
  const r = await c.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const SETUP = `
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: a}
data: {k: v}
---
# Bound to no node: it stays Pending, which kubectl exec still tries.
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-view, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bob-admin, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: User, name: bob}]
`;

/** A user token stored as `edgeplane user create` stores it, without spawning the CLI. */
async function quickUser(name: string): Promise<void> {
  const token = newUserToken();
  const res = await c.fetch('/api/v1/namespaces/kube-system/secrets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(userTokenSecret(name, [], token, 0)),
  });
  expect(res.status).toBe(201);
  configs[name] = path.join(dir, `${name}.kubeconfig`);
  const ca = fs.readFileSync(path.join(c.stateDir, 'tls', 'server.crt'), 'utf8');
  fs.writeFileSync(
    configs[name],
    kubeconfigYaml({ server: c.url, token, caPem: ca, userName: name }),
  );
}

beforeAll(async () => {
  c = await startCluster();
  dir = tempDir('edgeplane-rbac-');
  configs.alice = path.join(dir, 'alice.kubeconfig');
  await Promise.all([
    edgeplane(['user', 'create', 'alice', '--group', 'team', '--out', configs.alice]),
    c.kubectl(['apply', '-f', '-'], { input: SETUP }).then((r) => expect(r.stderr).toBe('')),
    quickUser('bob'),
    quickUser('carol'),
    quickUser('dave'),
  ]);
  // The aggregation controller fills view from system:aggregate-to-view.
  await until(
    () => admin(['get', 'clusterrole', 'view', '-o', 'jsonpath={.rules[*].resources}']),
    (s) => s.includes('pods'),
  );
}, 120_000);

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

describe('a user with view in namespace a', () => {
  it('lists pods and reads configmaps in a', async () => {
    const r = await as('alice', ['get', 'pods', '-n', 'a', '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/p\n');
    expect((await as('alice', ['get', 'configmap', 'cm', '-n', 'a', '-o', 'name'])).stdout).toBe(
      'configmap/cm\n',
    );
  });

  it('is refused in b with the apiserver message', async () => {
    const r = await as('alice', ['get', 'pods', '-n', 'b']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "b"',
    );
    expect((await as('alice', ['get', 'secrets', '-n', 'a'])).stderr).toContain(
      'cannot list resource "secrets"',
    );
  });

  it('is refused every write in a', async () => {
    const writes = [
      ['create', 'configmap', 'x', '-n', 'a', '--from-literal=a=b'],
      ['label', 'configmap', 'cm', '-n', 'a', 'x=y'],
      ['delete', 'configmap', 'cm', '-n', 'a'],
      ['delete', 'configmaps', '--all', '-n', 'a'],
      ['create', 'deployment', 'd', '-n', 'a', '--image=x'],
      ['exec', 'p', '-n', 'a', '--', 'true'],
      ['create', 'role', 'r', '-n', 'a', '--verb=get', '--resource=pods'],
      ['create', 'token', 'default', '-n', 'a'],
    ];
    for (const w of writes) {
      const r = await as('alice', w);
      expect(r.code, w.join(' ')).toBe(1);
      expect(r.stderr, w.join(' ')).toMatch(/Forbidden|forbidden/);
    }
    expect(await admin(['get', 'configmap', 'cm', '-n', 'a', '-o', 'jsonpath={.data.k}'])).toBe(
      'v',
    );
  });

  it('auth can-i and can-i --list agree with the binding', async () => {
    expect((await as('alice', ['auth', 'can-i', 'list', 'pods', '-n', 'a'])).stdout).toBe('yes\n');
    const no = await as('alice', ['auth', 'can-i', 'create', 'pods', '-n', 'a']);
    expect(no.stdout).toBe('no\n');
    expect(no.code).toBe(1);
    expect(
      (await as('alice', ['auth', 'can-i', 'get', 'pods', '--subresource=log', '-n', 'a'])).stdout,
    ).toBe('yes\n');
    expect(
      (await as('alice', ['auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', 'a']))
        .stdout,
    ).toBe('no\n');
    expect((await as('alice', ['auth', 'can-i', 'list', 'pods', '-n', 'b'])).stdout).toBe('no\n');
    const list = (await as('alice', ['auth', 'can-i', '--list', '-n', 'a'])).stdout;
    expect(list).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(list).toMatch(
      /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m,
    );
    expect(list).not.toMatch(/^secrets\s/m);
    const inB = (await as('alice', ['auth', 'can-i', '--list', '-n', 'b'])).stdout;
    expect(inB).not.toMatch(/^pods\s/m);
  });

  it('auth whoami names the user and its groups', async () => {
    const r = await as('alice', ['auth', 'whoami', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status.userInfo).toEqual({
      username: 'alice',
      groups: ['team', 'system:authenticated'],
    });
  });
});

describe('escalation', () => {
  it('a namespace admin cannot bind cluster-admin, but may grant what it holds', async () => {
    const r = await as('bob', [
      'create',
      'rolebinding',
      'esc',
      '--clusterrole=cluster-admin',
      '--user=bob',
      '-n',
      'a',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "esc" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:',
    );
    expect(r.stderr).toContain('{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
    expect(
      (await admin(['get', 'rolebindings', '-n', 'a', '-o', 'name'])).split('\n'),
    ).not.toContain('rolebinding.rbac.authorization.k8s.io/esc');
    const ok = await as('bob', [
      'create',
      'rolebinding',
      'carol-view',
      '--clusterrole=view',
      '--user=carol',
      '-n',
      'a',
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // A Role with a right bob lacks (nodes are cluster-scoped; no namespace admin holds them).
    const role = await as('bob', [
      'create',
      'role',
      'r',
      '--verb=get',
      '--resource=nodes',
      '-n',
      'a',
    ]);
    expect(role.code).toBe(1);
    expect(role.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    // cluster-admin bound by the admin lets bob do it: the check follows what the user holds.
    expect(
      (await as('bob', ['create', 'role', 'r2', '--verb=get', '--resource=pods', '-n', 'a'])).code,
    ).toBe(0);
  });
});

describe('impersonation', () => {
  it('needs the impersonate verb', async () => {
    const r = await as('alice', ['get', 'pods', '-n', 'a', '--as', 'bob']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    // The admin may; the request then runs with alice's rights only.
    expect((await c.kubectl(['get', 'pods', '-n', 'b', '--as', 'alice'])).stderr).toContain(
      'User "alice" cannot list resource "pods"',
    );
    expect(
      (
        await c.kubectl([
          'auth',
          'whoami',
          '--as',
          'alice',
          '--as-group',
          'team',
          '-o',
          'jsonpath={.status.userInfo.groups}',
        ])
      ).stdout,
    ).toBe('["team","system:authenticated"]');
    // carol may impersonate alice (only): a ClusterRole with resourceNames.
    await admin([
      'create',
      'clusterrole',
      'as-alice',
      '--verb=impersonate',
      '--resource=users',
      '--resource-name=alice',
    ]);
    await admin([
      'create',
      'clusterrolebinding',
      'carol-as-alice',
      '--clusterrole=as-alice',
      '--user=carol',
    ]);
    const asAlice = await as('carol', [
      'auth',
      'whoami',
      '--as',
      'alice',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
    expect(asAlice.stdout).toBe('alice');
    expect((await as('carol', ['get', 'pods', '-n', 'a', '--as', 'alice'])).code).toBe(0);
    const asBob = await as('carol', ['get', 'pods', '-n', 'a', '--as', 'bob']);
    expect(asBob.stderr).toContain('users "bob" is forbidden: User "carol" cannot impersonate');
    const asGroup = await as('carol', [
      'get',
      'pods',
      '-n',
      'a',
      '--as',
      'alice',
      '--as-group',
      'system:masters',
    ]);
    expect(asGroup.stderr).toContain('groups "system:masters" is forbidden');
  });
});

describe('user tokens', () => {
  it('revoke makes the token 401', async () => {
    expect(
      (await as('dave', ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).stdout,
    ).toBe('dave');
    expect(await edgeplane(['user', 'revoke', 'dave'])).toContain('1 token(s) revoked');
    // At once: the API forgets the identity it had cached for that token.
    const r = await as('dave', ['auth', 'whoami']);
    expect(r.stderr).toContain('Unauthorized');
    expect(fs.existsSync(configs.dave)).toBe(true);
  });
});

describe('kubectl create token', () => {
  it('gives a ServiceAccount token that RBAC then governs', async () => {
    const t = await c.kubectl(['create', 'token', 'default', '-n', 'a', '--duration', '10m']);
    expect(t.stderr).toBe('');
    const token = t.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(600);
    const sa = (args: string[]) => c.kubectl(['--token', token, ...args]);
    expect(
      (await sa(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).stdout,
    ).toBe('system:serviceaccount:a:default');
    expect((await sa(['get', 'configmaps', '-n', 'a'])).stderr).toContain(
      'User "system:serviceaccount:a:default" cannot list resource "configmaps"',
    );
    await admin([
      'create',
      'rolebinding',
      'sa-view',
      '--clusterrole=view',
      '--serviceaccount=a:default',
      '-n',
      'a',
    ]);
    expect((await sa(['get', 'configmaps', '-n', 'a', '-o', 'name'])).stdout).toContain(
      'configmap/cm',
    );
    const short = await c.kubectl(['create', 'token', 'default', '-n', 'a', '--duration', '5m']);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('may not specify a duration less than 10 minutes');
    // The token is bound to its ServiceAccount: deleted, the token is 401 at once.
    await admin(['delete', 'serviceaccount', 'default', '-n', 'a']);
    expect((await sa(['auth', 'whoami'])).stderr).toContain('Unauthorized');
  });
});
