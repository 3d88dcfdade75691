// The real kubectl prints our Tables: a loopback https stand-in serves discovery and Table LISTs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES, type ResourceInfo } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import { buildTable, printerFor } from '../../src/registry/tables/index';

const run = promisify(execFile);
const DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

// Fixture times sit mid-bucket (10h30m, 45m30s) so the printed ages cannot tick over during the test.
const START = Date.now();
const at = (secondsAgo: number) =>
  new Date(START - secondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const TEN_HOURS = 10 * 3600 + 30 * 60;

function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
  node: string,
  container: Record<string, unknown>,
  phase = 'Running',
): KObject {
  return {
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      resourceVersion: '10',
      creationTimestamp: at(TEN_HOURS),
      labels,
    },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx:1.27' }] },
    status: {
      phase,
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: [{ name: 'app', ...container }],
    },
  };
}

const running = { ready: true, restartCount: 0, state: { running: { startedAt: at(TEN_HOURS) } } };
const crashing = {
  ready: false,
  restartCount: 4,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: at(45 * 60 + 30) } },
};

const PODS = [
  pod('default', 'web-1', { app: 'web', tier: 'frontend' }, '127.0.1.1', 'node-1', running),
  pod('default', 'flaky-2', { app: 'flaky' }, '127.0.1.2', 'node-1', crashing),
  pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, '127.0.2.1', 'node-2', running),
];

const SERVICES: KObject[] = [
  {
    metadata: { name: 'kubernetes', namespace: 'default', creationTimestamp: at(TEN_HOURS) },
    spec: {
      type: 'ClusterIP',
      clusterIPs: ['10.96.0.1'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
    },
  },
  {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: at(TEN_HOURS) },
    spec: {
      type: 'NodePort',
      clusterIPs: ['10.96.0.10'],
      ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
      selector: { app: 'web' },
    },
  },
];

const NODES: KObject[] = [
  {
    metadata: {
      name: 'node-1',
      creationTimestamp: at(TEN_HOURS),
      labels: { 'node-role.kubernetes.io/control-plane': '' },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.2' }],
      nodeInfo: {
        kubeletVersion: 'v1.32.4',
        osImage: 'Debian GNU/Linux 12',
        kernelVersion: '6.1.0',
        containerRuntimeVersion: 'fake://1.0',
      },
    },
  },
  {
    metadata: { name: 'node-2', creationTimestamp: at(TEN_HOURS) },
    status: {
      conditions: [{ type: 'Ready', status: 'False' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.3' }],
      nodeInfo: { kubeletVersion: 'v1.32.4' },
    },
  },
];

/** Aggregated discovery (kubectl-wire.md §2.2) for the groups in the resource table. */
function discovery(core: boolean): object {
  const groups = new Map<string, ResourceInfo[]>();
  for (const r of RESOURCES)
    if ((r.group === '') === core) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const items = [...groups].map(([group, resources]) => ({
    metadata: core ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
    versions: [
      {
        version: 'v1',
        freshness: 'Current',
        resources: resources.map((r) => ({
          resource: r.resource,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: [
            'create',
            'delete',
            'deletecollection',
            'get',
            'list',
            'patch',
            'update',
            'watch',
          ],
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
          ...(r.categories ? { categories: r.categories } : {}),
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: s.kind ?? { group: r.group, version: r.version, kind: r.kind },
            verbs: s.verbs,
          })),
        })),
      },
    ],
  }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items,
  };
}

const LISTS: Record<string, () => [string, KObject[]]> = {
  '/api/v1/namespaces/default/pods': () => [
    'pods',
    PODS.filter((p) => p.metadata.namespace === 'default'),
  ],
  '/api/v1/pods': () => ['pods', PODS],
  '/api/v1/namespaces/default/services': () => ['services', SERVICES],
  '/api/v1/nodes': () => ['nodes', NODES],
};

let dir: string;
let server: Server;
let kubeconfig: string;
const accepts: string[] = [];

function handle(path: string, accept: string): { status: number; type: string; body: unknown } {
  if (path === '/version')
    return {
      status: 200,
      type: 'application/json',
      body: { major: '1', minor: '32', gitVersion: 'v1.32.4' },
    };
  if (path === '/api' || path === '/apis')
    return { status: 200, type: DISCOVERY_TYPE, body: discovery(path === '/api') };
  const list = LISTS[path];
  if (list) {
    accepts.push(accept);
    const [resource, items] = list();
    return {
      status: 200,
      type: 'application/json',
      body: buildTable(printerFor('', resource), items, {
        resourceVersion: '42',
        now: Date.now(),
        includeObject: 'Metadata',
        includeColumns: true,
      }),
    };
  }
  return {
    status: 404,
    type: 'application/json',
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: `${path} not found`,
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-tables-'));
  await run('openssl', [
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
  ]);
  server = createServer(
    { key: readFileSync(join(dir, 'k')), cert: readFileSync(join(dir, 'c')) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const { status, type, body } = handle(url.pathname, String(req.headers.accept ?? ''));
      res.writeHead(status, { 'Content-Type': type });
      res.end(JSON.stringify(body));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: local',
      '  cluster:',
      `    server: https://127.0.0.1:${port}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: tester',
      '  user:',
      '    token: test-token',
      'contexts:',
      '- name: local',
      '  context: {cluster: local, user: tester, namespace: default}',
      'current-context: local',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the real kubectl (never skipped: a missing binary fails the test) and returns its output lines. */
async function kubectl(...args: string[]): Promise<string[]> {
  const { stdout } = await run(
    'kubectl',
    ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
    {
      env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig },
      timeout: 60_000,
    },
  );
  return stdout.replace(/\n$/, '').split('\n');
}

describe('kubectl get against server-side Tables', () => {
  it('prints pods with the wide columns filled', async () => {
    expect(await kubectl('get', 'pods', '-o', 'wide')).toEqual([
      'NAME      READY   STATUS             RESTARTS      AGE   IP          NODE     NOMINATED NODE   READINESS GATES',
      'web-1     1/1     Running            0             10h   127.0.1.1   node-1   <none>           <none>',
      'flaky-2   0/1     CrashLoopBackOff   4 (45m ago)   10h   127.0.1.2   node-1   <none>           <none>',
    ]);
    expect(accepts.at(-1)).toContain('as=Table');
  });

  it("fills NAMESPACE and LABELS from the rows' PartialObjectMetadata", async () => {
    expect(await kubectl('get', 'pods', '-A', '--show-labels')).toEqual([
      'NAMESPACE     NAME        READY   STATUS             RESTARTS      AGE   LABELS',
      'default       web-1       1/1     Running            0             10h   app=web,tier=frontend',
      'default       flaky-2     0/1     CrashLoopBackOff   4 (45m ago)   10h   app=flaky',
      'kube-system   coredns-1   1/1     Running            0             10h   k8s-app=kube-dns',
    ]);
  });

  it('prints services with node ports and hides the wide selector', async () => {
    expect(await kubectl('get', 'svc')).toEqual([
      'NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE',
      'kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP        10h',
      'web          NodePort    10.96.0.10   <none>        80:30080/TCP   10h',
    ]);
  });

  it('prints nodes wide with cordon state and roles', async () => {
    expect(await kubectl('get', 'nodes', '-o', 'wide')).toEqual([
      'NAME     STATUS                     ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE              KERNEL-VERSION   CONTAINER-RUNTIME',
      'node-1   Ready,SchedulingDisabled   control-plane   10h   v1.32.4   127.0.0.2     <none>        Debian GNU/Linux 12   6.1.0            fake://1.0',
      'node-2   NotReady                   <none>          10h   v1.32.4   127.0.0.3     <none>        <unknown>             <unknown>        <unknown>',
    ]);
  });
});
