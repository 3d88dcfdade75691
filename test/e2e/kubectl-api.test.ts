// End to end: the real kubectl against `edgeplane dev`: discovery, explain, get output, create generators, expose, delete, exec and port-forward to an unbound pod.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster();
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

async function ok(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function getJson(p: string): Promise<any> {
  const res = await c.fetch(p);
  expect(res.status, `GET ${p}`).toBe(200);
  return res.json();
}

/** A printed header split into column names ("NOMINATED NODE" stays one name). */
const header = (line: string) => line.trim().split(/\s{2,}/);
/** Blank-line separated tables of `kubectl get a,b,c`. */
const tables = (out: string) =>
  out
    .trim()
    .split(/\n\s*\n/)
    .map((t) => t.split('\n'));
/** Rows as cell arrays (cells here never contain spaces). */
const cells = (line: string) => line.trim().split(/\s+/);

/** Parses a left-aligned kubectl table by the header's column offsets, so empty cells stay empty. */
function parseTable(out: string): Record<string, string>[] {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0];
  const names = header(head);
  const starts = names.map((n) => head.indexOf(n));
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    names.forEach(
      (n, i) =>
        (row[n] = line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()),
    );
    return row;
  });
}

describe('discovery and explain', () => {
  it('kubectl version shows server version 1.32', async () => {
    const plain = await ok(['version']);
    expect(plain).toMatch(/^Server Version: v1\.32\.\d+/m);
    const json = JSON.parse(await ok(['version', '-o', 'json']));
    expect(json.serverVersion).toMatchObject({ major: '1', minor: '32' });
  });

  it('kubectl api-resources lists every served resource with its short names, group and scope', async () => {
    const out = await ok(['api-resources']);
    expect(header(out.split('\n')[0])).toEqual([
      'NAME',
      'SHORTNAMES',
      'APIVERSION',
      'NAMESPACED',
      'KIND',
    ]);
    const rows = parseTable(out);
    const expected: [string, string, string, string, string][] = [
      ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
      ['endpoints', 'ep', 'v1', 'true', 'Endpoints'],
      ['events', 'ev', 'v1', 'true', 'Event'],
      ['namespaces', 'ns', 'v1', 'false', 'Namespace'],
      ['nodes', 'no', 'v1', 'false', 'Node'],
      ['pods', 'po', 'v1', 'true', 'Pod'],
      ['secrets', '', 'v1', 'true', 'Secret'],
      ['serviceaccounts', 'sa', 'v1', 'true', 'ServiceAccount'],
      ['services', 'svc', 'v1', 'true', 'Service'],
      ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
      ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet'],
      ['leases', '', 'coordination.k8s.io/v1', 'true', 'Lease'],
      ['endpointslices', '', 'discovery.k8s.io/v1', 'true', 'EndpointSlice'],
      ['events', 'ev', 'events.k8s.io/v1', 'true', 'Event'],
    ];
    for (const [NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND] of expected) {
      expect(rows).toContainEqual({ NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND });
    }
  });

  it('kubectl api-versions lists the served group versions', async () => {
    const lines = (await ok(['api-versions'])).trim().split('\n');
    for (const gv of [
      'v1',
      'apps/v1',
      'coordination.k8s.io/v1',
      'discovery.k8s.io/v1',
      'events.k8s.io/v1',
    ])
      expect(lines).toContain(gv);
  });

  it('kubectl explain pod.spec.containers describes the container fields', async () => {
    const out = await ok(['explain', 'pod.spec.containers']);
    expect(out).toMatch(/^KIND:\s+Pod$/m);
    expect(out).toMatch(/^VERSION:\s+v1$/m);
    expect(out).toContain('FIELD: containers <[]Container>');
    expect(out).toContain('DESCRIPTION:');
    expect(out).toMatch(/^ {2}name\t<string> -required-$/m);
    expect(out).toMatch(/^ {2}image\t<string>$/m);
    expect(out).toMatch(/^ {2}ports\t<\[\]ContainerPort>$/m);
    expect(out).toMatch(/^ {2}env\t<\[\]EnvVar>$/m);
    expect(out).toMatch(/^ {2}resources\t<ResourceRequirements>$/m);
  });

  it('kubectl explain deployment.spec.strategy describes the strategy and its enum', async () => {
    const out = await ok(['explain', 'deployment.spec.strategy']);
    expect(out).toMatch(/^GROUP:\s+apps$/m);
    expect(out).toMatch(/^KIND:\s+Deployment$/m);
    expect(out).toContain('FIELD: strategy <DeploymentStrategy>');
    expect(out).toMatch(/^ {2}rollingUpdate\t<RollingUpdateDeployment>$/m);
    expect(out).toMatch(/^ {2}type\t<string>$/m);
    expect(out).toMatch(/enum: Recreate, RollingUpdate/);
  });
});

describe('kubectl get', () => {
  const fixtures = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f7c9b4f, namespace: shop, labels: {app: web, pod-template-hash: 5d8f7c9b4f}}
spec:
  replicas: 0
  selector: {matchLabels: {app: web, pod-template-hash: 5d8f7c9b4f}}
  template:
    metadata: {labels: {app: web, pod-template-hash: 5d8f7c9b4f}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-5d8f7c9b4f-x7k2p, namespace: shop, labels: {app: web, tier: frontend}}
spec: {containers: [{name: app, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {containers: [{name: postgres, image: "postgres:17"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

  beforeAll(async () => {
    await ok(['apply', '-f', '-'], fixtures);
  });

  it('get pods,deploy,rs,svc -A -o wide prints the Kubernetes columns for each kind', async () => {
    const out = await ok(['get', 'pods,deploy,rs,svc', '-A', '-o', 'wide']);
    const [pods, deploys, rss, svcs] = tables(out);
    expect(header(pods[0])).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(header(deploys[0])).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    expect(header(rss[0])).toEqual([
      'NAMESPACE',
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    expect(header(svcs[0])).toEqual([
      'NAMESPACE',
      'NAME',
      'TYPE',
      'CLUSTER-IP',
      'EXTERNAL-IP',
      'PORT(S)',
      'AGE',
      'SELECTOR',
    ]);

    const age = /^\d+[smhd]/;
    const pod = pods
      .slice(1)
      .map(cells)
      .find((r) => r[1] === 'pod/db-0')!;
    expect(pod).toBeDefined();
    expect([pod[0], pod[2], pod[3], pod[4], ...pod.slice(6)]).toEqual([
      'shop',
      '0/1',
      'Pending',
      '0',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
    expect(pod[5]).toMatch(age);

    const deploy = deploys
      .slice(1)
      .map(cells)
      .find((r) => r[1] === 'deployment.apps/web')!;
    expect(deploy).toBeDefined();
    expect([deploy[0], deploy[2], deploy[3], deploy[4], ...deploy.slice(6)]).toEqual([
      'shop',
      '0/0',
      '0',
      '0',
      'app',
      'nginx:1.27',
      'app=web',
    ]);

    const rs = rss
      .slice(1)
      .map(cells)
      .find((r) => r[1] === 'replicaset.apps/web-5d8f7c9b4f')!;
    expect(rs).toBeDefined();
    expect([rs[0], rs[2], rs[3], rs[4], ...rs.slice(6)]).toEqual([
      'shop',
      '0',
      '0',
      '0',
      'app',
      'nginx:1.27',
      'app=web,pod-template-hash=5d8f7c9b4f',
    ]);

    const svcRows = svcs.slice(1).map(cells);
    const kubernetes = svcRows.find((r) => r[1] === 'service/kubernetes')!;
    expect([kubernetes[0], kubernetes[2], kubernetes[4], kubernetes[5], kubernetes[7]]).toEqual([
      'default',
      'ClusterIP',
      '<none>',
      '443/TCP',
      '<none>',
    ]);
    const web = svcRows.find((r) => r[1] === 'service/web')!;
    expect([web[0], web[2], web[4], web[5], web[7]]).toEqual([
      'shop',
      'ClusterIP',
      '<none>',
      '80/TCP',
      'app=web',
    ]);
    expect(web[3]).toMatch(/^127\.96\.\d+\.\d+$/);
  });

  it('get -o yaml and -o json print whole objects with apiVersion, kind and resourceVersion', async () => {
    const deploy = parseYaml(await ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml']));
    expect(deploy).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
    });
    expect(deploy.metadata.resourceVersion).toMatch(/\S/);
    expect(deploy.spec.template.spec.containers[0].image).toBe('nginx:1.27');

    const list = JSON.parse(await ok(['get', 'pods', '-n', 'shop', '-o', 'json']));
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((p: any) => p.metadata.name).sort()).toEqual([
      'db-0',
      'web-5d8f7c9b4f-x7k2p',
    ]);
    for (const p of list.items) {
      expect(p).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
      expect(p.metadata.resourceVersion).toMatch(/\S/);
    }

    const svc = JSON.parse(await ok(['get', 'svc', 'web', '-n', 'shop', '-o', 'json']));
    expect(svc).toMatchObject({
      apiVersion: 'v1',
      kind: 'Service',
      spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] },
    });
    expect(svc.metadata.resourceVersion).toMatch(/\S/);
  });

  it('get --show-labels adds a LABELS column', async () => {
    const out = await ok(['get', 'pods', '-n', 'shop', '--show-labels']);
    const lines = out.trim().split('\n');
    expect(header(lines[0])).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'LABELS']);
    const rows = lines.slice(1).map(cells);
    expect(rows.find((r) => r[0] === 'web-5d8f7c9b4f-x7k2p')?.[5]).toBe('app=web,tier=frontend');
    expect(rows.find((r) => r[0] === 'db-0')?.[5]).toBe('app=db');
  });

  it('get -l app=web lists only the matching objects', async () => {
    const out = await ok(['get', 'pods', '-A', '-l', 'app=web']);
    const rows = out.trim().split('\n').slice(1).map(cells);
    expect(rows.map((r) => `${r[0]}/${r[1]}`)).toEqual(['shop/web-5d8f7c9b4f-x7k2p']);
    const set = await ok([
      'get',
      'pods',
      '-n',
      'shop',
      '-l',
      'app in (web,db),tier!=frontend',
      '-o',
      'name',
    ]);
    expect(set.trim().split('\n')).toEqual(['pod/db-0']);
  });

  it('get --field-selector metadata.name=x lists only that object', async () => {
    const out = await ok(['get', 'pods', '-n', 'shop', '--field-selector', 'metadata.name=db-0']);
    expect(
      out
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => cells(l)[0]),
    ).toEqual(['db-0']);
    const none = await c.kubectl([
      'get',
      'pods',
      '-n',
      'shop',
      '--field-selector',
      'metadata.name=nope',
    ]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr.trim()).toBe('No resources found in shop namespace.');
  });
});

describe('create generators and expose', () => {
  it('create namespace makes an Active namespace with its default ServiceAccount', async () => {
    expect((await ok(['create', 'namespace', 'gen'])).trim()).toBe('namespace/gen created');
    const ns = await getJson('/api/v1/namespaces/gen');
    expect(ns.status.phase).toBe('Active');
    let sa = await c.fetch('/api/v1/namespaces/gen/serviceaccounts/default');
    for (let i = 0; i < 50 && sa.status === 404; i++) {
      await new Promise((r) => setTimeout(r, 100));
      sa = await c.fetch('/api/v1/namespaces/gen/serviceaccounts/default');
    }
    expect(sa.status).toBe(200);
  });

  it('create deployment stores the generated deployment with defaults', async () => {
    const out = await ok([
      'create',
      'deployment',
      'api',
      '-n',
      'gen',
      '--image=nginx:1.27',
      '--replicas=2',
    ]);
    expect(out.trim()).toBe('deployment.apps/api created');
    const d = await getJson('/apis/apps/v1/namespaces/gen/deployments/api');
    expect(d.metadata.labels).toEqual({ app: 'api' });
    expect(d.metadata.generation).toBe(1);
    expect(d.spec).toMatchObject({
      replicas: 2,
      selector: { matchLabels: { app: 'api' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
    });
    expect(d.spec.template.spec.containers).toMatchObject([
      { name: 'nginx', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' },
    ]);
  });

  it('create configmap --from-literal stores each literal', async () => {
    const out = await ok([
      'create',
      'configmap',
      'settings',
      '-n',
      'gen',
      '--from-literal=mode=fast',
      '--from-literal=level=3',
    ]);
    expect(out.trim()).toBe('configmap/settings created');
    expect((await getJson('/api/v1/namespaces/gen/configmaps/settings')).data).toEqual({
      mode: 'fast',
      level: '3',
    });
  });

  it('create secret generic --from-literal stores base64 data with type Opaque', async () => {
    const out = await ok([
      'create',
      'secret',
      'generic',
      'creds',
      '-n',
      'gen',
      '--from-literal=password=hunter2',
    ]);
    expect(out.trim()).toBe('secret/creds created');
    const s = await getJson('/api/v1/namespaces/gen/secrets/creds');
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
  });

  it('expose deployment makes a ClusterIP service inside 127.96.0.0/16 with the deployment selector', async () => {
    const out = await ok([
      'expose',
      'deployment',
      'api',
      '-n',
      'gen',
      '--port',
      '80',
      '--target-port',
      '8080',
    ]);
    expect(out.trim()).toBe('service/api exposed');
    const svc = await getJson('/api/v1/namespaces/gen/services/api');
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      selector: { app: 'api' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
      sessionAffinity: 'None',
    });
    expect(svc.spec.clusterIP).toMatch(/^127\.96\.\d{1,3}\.\d{1,3}$/);
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
    const row = cells((await ok(['get', 'svc', 'api', '-n', 'gen'])).trim().split('\n')[1]);
    expect(row.slice(0, 5)).toEqual(['api', 'ClusterIP', svc.spec.clusterIP, '<none>', '80/TCP']);
  });
});

describe('kubectl delete', () => {
  it('delete configmap --wait returns once it is gone', async () => {
    await ok(['create', 'configmap', 'doomed', '--from-literal=a=1']);
    const r = await c.kubectl(['delete', 'configmap', 'doomed', '--wait'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('configmap "doomed" deleted');
    expect((await c.fetch('/api/v1/namespaces/default/configmaps/doomed')).status).toBe(404);
    const gone = await c.kubectl(['get', 'configmap', 'doomed']);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): configmaps "doomed" not found');
  });

  it('delete deployment --cascade=orphan leaves its ReplicaSet behind', async () => {
    await ok(
      ['apply', '-f', '-'],
      `
apiVersion: apps/v1
kind: Deployment
metadata: {name: orph, namespace: default}
spec:
  replicas: 0
  selector: {matchLabels: {app: orph}}
  template:
    metadata: {labels: {app: orph}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
`,
    );
    const d = await getJson('/apis/apps/v1/namespaces/default/deployments/orph');
    const rs = await c.fetch('/apis/apps/v1/namespaces/default/replicasets', {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: 'orph-6f9d8b7c5d',
          labels: { app: 'orph', 'pod-template-hash': '6f9d8b7c5d' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'orph',
              uid: d.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'orph', 'pod-template-hash': '6f9d8b7c5d' } },
          template: {
            metadata: { labels: { app: 'orph', 'pod-template-hash': '6f9d8b7c5d' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
          },
        },
      }),
    });
    expect(rs.status).toBe(201);

    const r = await c.kubectl(['delete', 'deployment', 'orph', '--cascade=orphan', '--wait=false']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('deployment.apps "orph" deleted');
    // The garbage collector finishes an orphaning delete; until it has, the deployment waits with the orphan finalizer.
    const after = await c.fetch('/apis/apps/v1/namespaces/default/deployments/orph');
    if (after.status === 200) {
      const left = await after.json();
      expect(left.metadata.deletionTimestamp).toBeTruthy();
      expect(left.metadata.finalizers).toContain('orphan');
    } else {
      expect(after.status).toBe(404);
    }
    const kept = await c.kubectl(['get', 'rs', 'orph-6f9d8b7c5d', '-o', 'name']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout.trim()).toBe('replicaset.apps/orph-6f9d8b7c5d');
  });
});

describe('streaming subresources', () => {
  beforeAll(async () => {
    await ok(['run', 'shell', '--image=busybox:1.36', '--restart=Never', '--', 'sleep', '3600']);
    // With no node agent yet, report the pod running ourselves, as a kubelet would: port-forward checks the phase first.
    const res = await c.fetch('/api/v1/namespaces/default/pods/shell/status', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({
        status: {
          phase: 'Running',
          podIP: '10.0.0.7',
          podIPs: [{ ip: '10.0.0.7' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            {
              name: 'shell',
              image: 'busybox:1.36',
              imageID: '',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: new Date().toISOString() } },
            },
          ],
        },
      }),
    });
    expect(res.status).toBe(200);
  });

  // The pod is bound to no node: the streaming routes answer with upstream's message, not a 404
  // (exec and port-forward themselves are covered by streaming.test.ts and port-forward.test.ts).
  const clearUnboundError = (stderr: string) => {
    expect(stderr).not.toMatch(/NotFound|not found|404/);
    expect(stderr).toContain('pod shell does not have a host assigned');
  };

  it('exec into a pod with no node answers a clear error, not a 404', async () => {
    const r = await c.kubectl(['exec', 'shell', '--', 'ls'], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    clearUnboundError(r.stderr);
  });

  it('port-forward to a pod with no node answers a clear error, not a 404', async () => {
    const r = await c.kubectl(['port-forward', 'pod/shell', ':80', '--address', '127.0.0.1'], {
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(1);
    clearUnboundError(r.stderr);
  });
});
