// End to end: the kubectl commands that change objects: apply (client- and server-side), label, annotate, scale, edit, patch.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  run,
  startCluster,
  tempDir,
  type Cluster,
  type RunResult,
} from '../helpers/cluster';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster();
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

async function getJson(p: string): Promise<any> {
  const res = await c.fetch(p);
  expect(res.status, `GET ${p}`).toBe(200);
  return res.json();
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** kubectl with extra environment variables (EDITOR); it keeps its own discovery cache. */
function kubectlEnv(args: string[], env: Record<string, string>): Promise<RunResult> {
  const cacheDir = path.join(tempDir('edgeplane-kube-cache-'), 'cache');
  return run('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', cacheDir, ...args], {
    env: { ...process.env, ...env },
    timeoutMs: 60_000,
  });
}

const lines = (out: string) => out.trim().split('\n');

/** The manifest of a small app; `image` and `env` are what the edits change. */
function manifest(image: string, env: string): string {
  return `
apiVersion: v1
kind: Namespace
metadata:
  name: store
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: store
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ${image}
        env:
${env}
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: store
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: store
data:
  greeting: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: store
data:
  password: ${Buffer.from('s3cret').toString('base64')}
`;
}

const v1 = manifest('nginx:1.27', '        - {name: MODE, value: blue}');
const v2 = manifest(
  'nginx:1.28',
  '        - {name: LEVEL, value: "2"}\n        - {name: MODE, value: green}',
);

describe('client-side apply', () => {
  it('apply -f of a multi-document manifest creates every object', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { input: v1 });
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'namespace/store created',
      'deployment.apps/web created',
      'service/web created',
      'configmap/web-config created',
      'secret/web-secret created',
    ]);
    const d = await getJson('/apis/apps/v1/namespaces/store/deployments/web');
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain(
      '"image":"nginx:1.27"',
    );
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      image: 'nginx:1.27',
      env: [{ name: 'MODE', value: 'blue' }],
    });
    expect((await getJson('/api/v1/namespaces/store/configmaps/web-config')).data).toEqual({
      greeting: 'hello',
    });
    expect((await getJson('/api/v1/namespaces/store/secrets/web-secret')).type).toBe('Opaque');
  });

  it('re-applying the unchanged manifest reports every object unchanged', async () => {
    const before = await getJson('/apis/apps/v1/namespaces/store/deployments/web');
    const r = await c.kubectl(['apply', '-f', '-'], { input: v1 });
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'namespace/store unchanged',
      'deployment.apps/web unchanged',
      'service/web unchanged',
      'configmap/web-config unchanged',
      'secret/web-secret unchanged',
    ]);
    const after = await getJson('/apis/apps/v1/namespaces/store/deployments/web');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      before.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    );
  });

  it('re-applying after an image and env change sends a strategic merge patch and stores the change', async () => {
    const r = await c.kubectl(['apply', '-f', '-', '-v=7'], { input: v2 });
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'namespace/store unchanged',
      'deployment.apps/web configured',
      'service/web unchanged',
      'configmap/web-config unchanged',
      'secret/web-secret unchanged',
    ]);
    expect(r.stderr).toMatch(
      /PATCH https:\/\/127\.0\.0\.1:\d+\/apis\/apps\/v1\/namespaces\/store\/deployments\/web\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict/,
    );
    expect(r.stderr).toContain('Content-Type: application/strategic-merge-patch+json');
    const d = await getJson('/apis/apps/v1/namespaces/store/deployments/web');
    expect(d.metadata.generation).toBe(2);
    const app = d.spec.template.spec.containers[0];
    expect(app.image).toBe('nginx:1.28');
    // $setElementOrder keeps the manifest's order: LEVEL, then MODE.
    expect(app.env).toEqual([
      { name: 'LEVEL', value: '2' },
      { name: 'MODE', value: 'green' },
    ]);
    expect(app.ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
  });
});

describe('server-side apply', () => {
  it('apply --server-side of the same objects under another field manager makes it a co-owner', async () => {
    const r = await c.kubectl(['apply', '--server-side', '--field-manager=ci-bot', '-f', '-'], {
      input: v2,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'namespace/store serverside-applied',
      'deployment.apps/web serverside-applied',
      'service/web serverside-applied',
      'configmap/web-config serverside-applied',
      'secret/web-secret serverside-applied',
    ]);
    const svc = await getJson('/api/v1/namespaces/store/services/web');
    expect(svc.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
    const d = await getJson('/apis/apps/v1/namespaces/store/deployments/web');
    const managers = d.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`);
    expect(managers).toContain('ci-bot/Apply');
    expect(managers).toContain('kubectl-client-side-apply/Update');
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.28');
  });

  it('apply --server-side twice with the same manifest changes nothing the second time', async () => {
    // Ports without `protocol`: the list keys are (port, protocol) and (containerPort, protocol) with protocol defaulted to TCP.
    const m = `
apiVersion: v1
kind: Service
metadata: {name: twice, namespace: default}
spec:
  selector: {app: twice}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: twice, namespace: default}
spec:
  replicas: 0
  selector: {matchLabels: {app: twice}}
  template:
    metadata: {labels: {app: twice}}
    spec: {containers: [{name: app, image: "nginx:1.27", ports: [{containerPort: 8080}]}]}
`;
    const first = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: m });
    expect(first.code, first.stderr).toBe(0);
    const svcBefore = await getJson('/api/v1/namespaces/default/services/twice');
    const second = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: m });
    expect(second.code, second.stderr).toBe(0);
    expect(lines(second.stdout)).toEqual([
      'service/twice serverside-applied',
      'deployment.apps/twice serverside-applied',
    ]);
    const svc = await getJson('/api/v1/namespaces/default/services/twice');
    expect(svc.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect(svc.metadata.resourceVersion).toBe(svcBefore.metadata.resourceVersion);
    const d = await getJson('/apis/apps/v1/namespaces/default/deployments/twice');
    expect(d.spec.template.spec.containers[0].ports).toEqual([
      { containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(d.metadata.generation).toBe(1);
  });

  const ssaDeploy = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: owned, namespace: default}
spec:
  selector: {matchLabels: {app: owned}}
  template:
    metadata: {labels: {app: owned}}
    spec:
      containers:
      - name: app
        image: ${image}
        ports:
        - containerPort: 8080
`;

  it('a second applier changing a field another applier owns gets a 409 that names the owner', async () => {
    const alice = await c.kubectl(['apply', '--server-side', '--field-manager=alice', '-f', '-'], {
      input: ssaDeploy('nginx:1.27'),
    });
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stdout.trim()).toBe('deployment.apps/owned serverside-applied');

    const bob = await c.kubectl(['apply', '--server-side', '--field-manager=bob', '-f', '-'], {
      input: ssaDeploy('nginx:1.28'),
    });
    expect(bob.code).toBe(1);
    // Only the image differs; the unchanged port is shared, not a conflict.
    expect(bob.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="app"].image',
    );
    expect(bob.stderr).not.toContain('ports[');
    expect(bob.stderr).toContain('--force-conflicts');
    expect(
      (await getJson('/apis/apps/v1/namespaces/default/deployments/owned')).spec.template.spec
        .containers[0].image,
    ).toBe('nginx:1.27');

    const raw = await c.fetch(
      '/apis/apps/v1/namespaces/default/deployments/owned?fieldManager=bob',
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: ssaDeploy('nginx:1.28'),
      },
    );
    expect(raw.status).toBe(409);
    const status = await raw.json();
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
    });
    expect(status.details.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "alice"',
        field: '.spec.template.spec.containers[name="app"].image',
      },
    ]);
  });

  it('--force-conflicts overrides the conflict and moves the field to the new applier', async () => {
    const r = await c.kubectl(
      ['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'],
      { input: ssaDeploy('nginx:1.28') },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('deployment.apps/owned serverside-applied');
    const d = await getJson('/apis/apps/v1/namespaces/default/deployments/owned');
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.28');
    const owns = (manager: string) =>
      JSON.stringify(
        d.metadata.managedFields.find((m: any) => m.manager === manager)?.fieldsV1 ?? {},
      );
    expect(owns('bob')).toContain('"f:image"');
    expect(owns('alice')).not.toContain('"f:image"');
  });

  const cm = (data: Record<string, string>, labels: Record<string, string>) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: 'default', labels },
      data,
    });

  it('a field is removed when its sole applier drops it from its manifest', async () => {
    const first = await c.kubectl(['apply', '--server-side', '-f', '-'], {
      input: cm({ keep: '1', drop: '2' }, { team: 'a', env: 'dev' }),
    });
    expect(first.code, first.stderr).toBe(0);
    const second = await c.kubectl(['apply', '--server-side', '-f', '-'], {
      input: cm({ keep: '1' }, { team: 'a' }),
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim()).toBe('configmap/applied serverside-applied');
    const got = await getJson('/api/v1/namespaces/default/configmaps/applied');
    expect(got.data).toEqual({ keep: '1' });
    expect(got.metadata.labels).toEqual({ team: 'a' });
  });

  it('a field stays while another applier that applied the same value still owns it', async () => {
    const full = cm({ keep: '1', shared: 'yes' }, { team: 'a' });
    expect((await c.kubectl(['apply', '--server-side', '-f', '-'], { input: full })).code).toBe(0);
    const carol = await c.kubectl(['apply', '--server-side', '--field-manager=carol', '-f', '-'], {
      input: full,
    });
    expect(carol.code, carol.stderr).toBe(0);
    let got = await getJson('/api/v1/namespaces/default/configmaps/applied');
    expect(got.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`)).toContain(
      'carol/Apply',
    );

    const dropped = await c.kubectl(['apply', '--server-side', '-f', '-'], {
      input: cm({ keep: '1' }, { team: 'a' }),
    });
    expect(dropped.code, dropped.stderr).toBe(0);
    got = await getJson('/api/v1/namespaces/default/configmaps/applied');
    expect(got.data).toEqual({ keep: '1', shared: 'yes' });
  });
});

describe('changing objects', () => {
  const deploy = (name: string, replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default, labels: {app: ${name}}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
`;

  it('label and annotate add, refuse to overwrite without --overwrite, and remove with key-', async () => {
    await ok(['apply', '-f', '-'], deploy('lab', 0));
    expect((await ok(['label', 'deploy', 'lab', 'tier=frontend'])).trim()).toBe(
      'deployment.apps/lab labeled',
    );
    expect((await ok(['annotate', 'deploy', 'lab', 'note=hello world'])).trim()).toBe(
      'deployment.apps/lab annotated',
    );
    let d = await getJson('/apis/apps/v1/namespaces/default/deployments/lab');
    expect(d.metadata.labels).toEqual({ app: 'lab', tier: 'frontend' });
    expect(d.metadata.annotations.note).toBe('hello world');

    const refused = await c.kubectl(['label', 'deploy', 'lab', 'tier=backend']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "'tier' already has a value (frontend), and --overwrite is false",
    );
    expect((await ok(['label', 'deploy', 'lab', 'tier=backend', '--overwrite'])).trim()).toBe(
      'deployment.apps/lab labeled',
    );

    expect((await ok(['label', 'deploy', 'lab', 'tier-'])).trim()).toBe(
      'deployment.apps/lab unlabeled',
    );
    expect((await ok(['annotate', 'deploy', 'lab', 'note-'])).trim()).toBe(
      'deployment.apps/lab annotated',
    );
    d = await getJson('/apis/apps/v1/namespaces/default/deployments/lab');
    expect(d.metadata.labels).toEqual({ app: 'lab' });
    expect(d.metadata.annotations?.note).toBeUndefined();
  });

  it('removing the last label and annotation leaves no empty map behind, as Kubernetes omits empty maps', async () => {
    await ok(['create', 'configmap', 'bare', '--from-literal=a=1']);
    await ok(['label', 'configmap', 'bare', 'only=one']);
    await ok(['annotate', 'configmap', 'bare', 'only=one']);
    expect((await ok(['label', 'configmap', 'bare', 'only-'])).trim()).toBe(
      'configmap/bare unlabeled',
    );
    expect((await ok(['annotate', 'configmap', 'bare', 'only-'])).trim()).toBe(
      'configmap/bare annotated',
    );
    const cm = await getJson('/api/v1/namespaces/default/configmaps/bare');
    expect(cm.metadata).not.toHaveProperty('labels');
    expect(cm.metadata).not.toHaveProperty('annotations');
  });

  it('scale --replicas goes through the scale subresource', async () => {
    await ok(['apply', '-f', '-'], deploy('sc', 1));
    const r = await c.kubectl(['scale', 'deploy', 'sc', '--replicas=4', '-v=6']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('deployment.apps/sc scaled');
    expect(r.stderr).toMatch(
      /PATCH https:\/\/127\.0\.0\.1:\d+\/apis\/apps\/v1\/namespaces\/default\/deployments\/sc\/scale 200 OK/,
    );
    expect((await getJson('/apis/apps/v1/namespaces/default/deployments/sc')).spec.replicas).toBe(
      4,
    );
    const scale = await getJson('/apis/apps/v1/namespaces/default/deployments/sc/scale');
    expect(scale).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'sc', namespace: 'default' },
      spec: { replicas: 4 },
    });
    expect(scale.status.selector).toBe('app=sc');
  });

  it('scale --current-replicas refuses a wrong precondition and applies a right one', async () => {
    await ok(['apply', '-f', '-'], deploy('cur', 2));
    const wrong = await c.kubectl([
      'scale',
      'deploy',
      'cur',
      '--current-replicas=3',
      '--replicas=5',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Expected replicas to be 3, was 2');
    expect((await getJson('/apis/apps/v1/namespaces/default/deployments/cur')).spec.replicas).toBe(
      2,
    );
    expect(
      (await ok(['scale', 'deploy', 'cur', '--current-replicas=2', '--replicas=5'])).trim(),
    ).toBe('deployment.apps/cur scaled');
    expect((await getJson('/apis/apps/v1/namespaces/default/deployments/cur')).spec.replicas).toBe(
      5,
    );
  });

  it('edit with a non-interactive EDITOR stores the edit', async () => {
    await ok(['apply', '-f', '-'], deploy('ed', 2));
    const r = await kubectlEnv(['edit', 'deploy', 'ed'], {
      EDITOR: `sed -i 's/replicas: 2/replicas: 3/'`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('deployment.apps/ed edited');
    const d = await getJson('/apis/apps/v1/namespaces/default/deployments/ed');
    expect(d.spec.replicas).toBe(3);
    expect(d.metadata.generation).toBe(2);
    const again = await kubectlEnv(['edit', 'deploy', 'ed'], { EDITOR: 'true' });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Edit cancelled, no changes made.');
  });

  it('patch --type json, merge and strategic each change the stored object', async () => {
    await ok(['apply', '-f', '-'], deploy('pt', 2));
    const json = await ok([
      'patch',
      'deploy',
      'pt',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":1},{"op":"add","path":"/metadata/labels/patched","value":"json"}]',
    ]);
    expect(json.trim()).toBe('deployment.apps/pt patched');
    let d = await getJson('/apis/apps/v1/namespaces/default/deployments/pt');
    expect(d.spec.replicas).toBe(1);
    expect(d.metadata.labels.patched).toBe('json');

    const merge = await ok([
      'patch',
      'deploy',
      'pt',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"patched":"merge"}},"spec":{"minReadySeconds":5}}',
    ]);
    expect(merge.trim()).toBe('deployment.apps/pt patched');
    d = await getJson('/apis/apps/v1/namespaces/default/deployments/pt');
    expect(d.metadata.labels.patched).toBe('merge');
    expect(d.spec.minReadySeconds).toBe(5);

    // strategic: containers merge by name, so the sidecar joins the app container instead of replacing the list
    const smp = await ok([
      'patch',
      'deploy',
      'pt',
      '--type',
      'strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}',
    ]);
    expect(smp.trim()).toBe('deployment.apps/pt patched');
    d = await getJson('/apis/apps/v1/namespaces/default/deployments/pt');
    expect(d.spec.template.spec.containers.map((x: any) => `${x.name}=${x.image}`).sort()).toEqual([
      'app=nginx:1.27',
      'sidecar=busybox:1.36',
    ]);

    const same = await ok([
      'patch',
      'deploy',
      'pt',
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":1}}',
    ]);
    expect(same.trim()).toBe('deployment.apps/pt patched (no change)');
  });
});
