// A process pod talks to the API as its ServiceAccount: the agent requests a token bound to the pod,
// writes token, ca.crt and namespace under $EDGEPLANE_SERVICEACCOUNT_ROOT (the standard
// var/run/secrets/kubernetes.io/serviceaccount layout) and points KUBERNETES_SERVICE_HOST/PORT at the
// API; RBAC then decides what the pod may do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;

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
  console.log('list', await call('GET', '/api/v1/namespaces/' + ns + '/configmaps'));
  console.log('create', await call('POST', '/api/v1/namespaces/' + ns + '/configmaps', JSON.stringify({ metadata: { name: 'x' } })));
  setInterval(() => {}, 1000);
})();
`;

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'process'] });
}, 120_000);

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

describe('in-cluster API access from a process pod', () => {
  it('authenticates with its pod-bound ServiceAccount token, and RBAC governs it', async () => {
    const setup = `
apiVersion: v1
kind: Namespace
metadata: {name: op}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: operator, namespace: op}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-configmaps, namespace: op}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator, namespace: op}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects: [{kind: ServiceAccount, name: operator, namespace: op}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: op}
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
      logs = (await c.kubectl(['logs', 'client', '-n', 'op'])).stdout;
    }
    expect(logs).toContain('list 200');
    expect(logs).toContain(
      'create 403 configmaps is forbidden: User "system:serviceaccount:op:operator" cannot create resource "configmaps" in API group "" in the namespace "op"',
    );
  });
});
