// End to end: kubectl's fallback to /openapi/v2 (protobuf) for what the v3 documents do not describe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster();
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

const LIST = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: from-list, namespace: default}
  data: {a: "1"}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: from-list, namespace: default, labels: {app: from-list}}
  spec:
    replicas: 1
    strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: "25%"}}
    selector: {matchLabels: {app: from-list}}
    template:
      metadata: {labels: {app: from-list}}
      spec:
        containers:
        - name: web
          image: busybox
          ports: [{containerPort: 8080, name: http}]
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 1}}
          env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
          readinessProbe: {httpGet: {port: http, path: /}}
        volumes: [{name: scratch, emptyDir: {}}]
- apiVersion: v1
  kind: Service
  metadata: {name: from-list, namespace: default}
  spec: {selector: {app: from-list}, ports: [{port: 80, targetPort: http}]}
`;

describe('kubectl with /openapi/v2', () => {
  it('applies a kind: List file (validated client-side against the v2 schemas)', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { input: LIST });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('configmap/from-list created');
    expect(r.stdout).toContain('deployment.apps/from-list created');
    expect(r.stdout).toContain('service/from-list created');
    const again = await c.kubectl(['apply', '-f', '-'], { input: LIST });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('configmap/from-list unchanged');
  });

  it('refuses an unknown field inside a List item from the v2 schema, and creates nothing', async () => {
    const bad = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: typo, namespace: default}\n  dataa: {a: "1"}\n`;
    const r = await c.kubectl(['apply', '-f', '-'], { input: bad });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "dataa" in io.k8s.api.core.v1.ConfigMap');
    expect((await c.kubectl(['get', 'configmap', 'typo'])).stderr).toContain('not found');
  });

  it('still explains kinds from the v3 documents', async () => {
    const r = await c.kubectl(['explain', 'deployment.spec.strategy']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('KIND:       Deployment');
    expect(r.stdout).toContain('rollingUpdate');
  });
});
