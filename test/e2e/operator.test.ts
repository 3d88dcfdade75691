// In-cluster API access from process pods: the agent requests a token bound to the pod, writes
// token, ca.crt and namespace under $EDGEPLANE_SERVICEACCOUNT_ROOT (the standard
// var/run/secrets/kubernetes.io/serviceaccount layout; a process pod has no mount namespace to see
// them at the standard path) and sets KUBERNETES_SERVICE_HOST/PORT to the `kubernetes` Service's
// ClusterIP and 443, which the node's service proxy forwards to the API's advertised endpoints. A
// plain https client uses them, verifying the API's certificate for the ClusterIP with ca.crt, and
// so does an operator written with @kubernetes/client-node (in-cluster config), which reconciles a
// custom resource into a ConfigMap with exactly the RBAC it needs; a write outside its Role is 403.
// The cluster gets a service range of its own: every cluster on a host binds its kubernetes
// ClusterIP with SO_REUSEPORT, so two clusters on the default range would share 127.96.0.1:443.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, ROOT, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;
/** The kubernetes Service's ClusterIP: the first address of the cluster's service range. */
let kubernetesIP = '';
const OPERATOR = path.join(ROOT, 'test', 'e2e', 'operator', 'widget-operator.mjs');

const MANIFESTS = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              color: {type: string}
---
apiVersion: v1
kind: Namespace
metadata: {name: op}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: widget-operator, namespace: op}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: widget-operator, namespace: op}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [configmaps], verbs: [get, create, update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: widget-operator, namespace: op}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: widget-operator}
subjects: [{kind: ServiceAccount, name: widget-operator, namespace: op}]
---
apiVersion: v1
kind: Pod
metadata: {name: widget-operator, namespace: op}
spec:
  serviceAccountName: widget-operator
  containers:
  - name: operator
    image: node
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(OPERATOR)}]
`;

// Reads its credentials as an in-cluster client does, lists ConfigMaps, then tries to write one.
const SCRIPT = `
const fs = require('fs'), https = require('https');
const dir = process.env.EDGEPLANE_SERVICEACCOUNT_ROOT + '/var/run/secrets/kubernetes.io/serviceaccount';
const read = (f) => fs.readFileSync(dir + '/' + f, 'utf8');
const ns = read('namespace');
const call = (method, path, body) => new Promise((resolve) => {
  const req = https.request({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT,
    method, path, ca: read('ca.crt'), headers: { authorization: 'Bearer ' + read('token'), 'content-type': 'application/json' } },
    (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(res.statusCode + ' ' + (JSON.parse(b).message || ''))); });
  req.on('error', (e) => resolve('error ' + e.message));
  req.end(body);
});
(async () => {
  console.log('api', process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT);
  console.log('list', await call('GET', '/api/v1/namespaces/' + ns + '/configmaps'));
  console.log('create', await call('POST', '/api/v1/namespaces/' + ns + '/configmaps', JSON.stringify({ metadata: { name: 'x' } })));
  setInterval(() => {}, 1000);
})();
`;

const widget = (color: string) => `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: op}
spec: {color: ${color}}
`;

async function until(what: string, f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) {
      const logs = await c.kubectl(['logs', 'widget-operator', '-n', 'op']);
      throw new Error(`${what} did not happen; operator logs:\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  const serviceCidr = `127.${100 + Math.floor(Math.random() * 100)}.0.0/16`;
  c = await startCluster({
    extraArgs: ['--agents', '1', '--runtime', 'process', '--service-cidr', serviceCidr],
  });
  kubernetesIP = serviceCidr.replace(/0\.0\/16$/, '0.1');
}, 120_000);

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

describe('an operator as a pod', () => {
  it('reconciles a Widget into a ConfigMap with its own token and RBAC, and is refused the rest', async () => {
    const applied = await c.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
    expect(applied.stderr).toBe('');
    await until('the CRD to be served', async () => {
      return (await c.kubectl(['apply', '-f', '-'], { input: widget('blue') })).code === 0;
    });
    const color = async () =>
      (
        await c.kubectl([
          'get',
          'configmap',
          'widget-w1',
          '-n',
          'op',
          '-o',
          'jsonpath={.data.color}',
        ])
      ).stdout;
    await until('the ConfigMap for w1', async () => (await color()) === 'blue');
    const patched = await c.kubectl([
      'patch',
      'widget',
      'w1',
      '-n',
      'op',
      '--type',
      'merge',
      '-p',
      '{"spec":{"color":"red"}}',
    ]);
    expect(patched.stderr).toBe('');
    await until('the ConfigMap to follow the Widget', async () => (await color()) === 'red');
    const logs = async () => (await c.kubectl(['logs', 'widget-operator', '-n', 'op'])).stdout;
    // Log lines are shipped in batches: wait for the last one.
    await until('the reconcile to be logged', async () =>
      (await logs()).includes('reconciled w1 color=red'),
    );
    expect(await logs()).toContain(`server https://${kubernetesIP}:443`);
    expect(await logs()).toContain(
      'secret create refused: 403 secrets is forbidden: User "system:serviceaccount:op:widget-operator" cannot create resource "secrets" in API group "" in the namespace "op"',
    );
    // The ConfigMap is owned by the Widget (the operator set the reference with its own token).
    const owner = await c.kubectl([
      'get',
      'configmap',
      'widget-w1',
      '-n',
      'op',
      '-o',
      'jsonpath={.metadata.ownerReferences[0].name}',
    ]);
    expect(owner.stdout).toBe('w1');
  });

  it('authenticates with its pod-bound ServiceAccount token, and RBAC governs it', async () => {
    const setup = `
apiVersion: v1
kind: Namespace
metadata: {name: raw}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: operator, namespace: raw}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-configmaps, namespace: raw}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator, namespace: raw}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects: [{kind: ServiceAccount, name: operator, namespace: raw}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: raw}
spec:
  serviceAccountName: operator
  containers:
  - name: c
    image: node
    command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SCRIPT)}]
`;
    const applied = await c.kubectl(['apply', '-f', '-'], { input: setup });
    expect(applied.stderr).toBe('');
    let logs = '';
    for (let i = 0; i < 100 && !logs.includes('create'); i++) {
      await new Promise((r) => setTimeout(r, 300));
      logs = (await c.kubectl(['logs', 'client', '-n', 'raw'])).stdout;
    }
    // Through the kubernetes Service (its ClusterIP, 443), the certificate verified for that IP.
    expect(logs).toContain(`api ${kubernetesIP}:443`);
    expect(logs).toContain('list 200');
    expect(logs).toContain(
      'create 403 configmaps is forbidden: User "system:serviceaccount:raw:operator" cannot create resource "configmaps" in API group "" in the namespace "raw"',
    );
  });

  it('keeps working across a signing key rotation (kubectl --raw), until the old key is retired', async () => {
    const KEYS = '/edgeplane/v1/serviceaccount-signing-keys';
    type Listing = { keys: { kid: string; signing: boolean }[] };
    const kidOf = (t: string) =>
      (JSON.parse(Buffer.from(t.split('.')[0], 'base64url').toString()) as { kid: string }).kid;
    const old = (await c.kubectl(['create', 'token', 'widget-operator', '-n', 'op'])).stdout.trim();
    const before = JSON.parse((await c.kubectl(['get', '--raw', KEYS])).stdout) as Listing;
    expect(before.keys).toEqual([{ kid: kidOf(old), signing: true }]);
    const rotated = await c.kubectl(['create', '--raw', `${KEYS}/rotate`, '-f', '/dev/null']);
    expect(rotated.stderr).toBe('');
    const ring = (JSON.parse(rotated.stdout) as Listing).keys.map((k) => k.kid);
    expect(ring).toHaveLength(2);
    expect(ring[1]).toBe(kidOf(old));
    const fresh = (
      await c.kubectl(['create', 'token', 'widget-operator', '-n', 'op'])
    ).stdout.trim();
    expect(kidOf(fresh)).toBe(ring[0]);
    // The operator's projected token predates the rotation: it keeps reconciling.
    await c.kubectl([
      'patch',
      'widget',
      'w1',
      '-n',
      'op',
      '--type',
      'merge',
      '-p',
      '{"spec":{"color":"green"}}',
    ]);
    const color = async () =>
      (
        await c.kubectl([
          'get',
          'configmap',
          'widget-w1',
          '-n',
          'op',
          '-o',
          'jsonpath={.data.color}',
        ])
      ).stdout;
    await until(
      'the ConfigMap to follow the Widget after rotation',
      async () => (await color()) === 'green',
    );
    const as = (token: string) => c.kubectl(['get', 'widgets', '-n', 'op', '--token', token]);
    expect((await as(old)).code).toBe(0);
    const retired = await c.kubectl(['delete', '--raw', `${KEYS}/${ring[1]}`]);
    expect(retired.stderr).toBe('');
    await until(
      'the retired key to be refused',
      async () => (await as(old)).stderr.includes('Unauthorized'),
      6_000,
    );
    expect((await as(fresh)).code).toBe(0);
  });
});
