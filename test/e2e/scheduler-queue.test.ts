// End to end: the scheduler's queue in the real Workers (one Miniflare, as `edgeplane dev` runs it), read through
// the scheduler's own counters: an unschedulable pod is retried when a node it fits on is added, not on lease
// renewals or node heartbeats; passes never list pods again; `kubectl describe` shows the Scheduled event.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../src/cli/runtime';
import { StateDir } from '../../src/cli/state';

let runtime: Runtime;
let base: string;
let dir: string;
let token: string;
let agent: https.Agent;
let url: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-scheduler-queue-'));
  base = path.join(dir, 'state');
  const state = new StateDir(base);
  state.cluster(2);
  token = state.adminToken();
  const tls = state.tls();
  runtime = await startRuntime({
    host: '127.0.0.1',
    port: 0,
    stateDir: base,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    vars: {
      ADMIN_TOKEN: token,
      PARTITIONS: '2',
      SERVICE_CIDR: '127.96.0.0/16',
      WATCH_PROGRESS_MS: '1000',
    },
    schedulerVars: { SCHEDULER_STRATEGY: 'least-allocated' },
    // Nodes here are written by the test, not by agents: the lifecycle controller must not mark them NotReady meanwhile.
    controllerVars: { NODE_MONITOR_GRACE_PERIOD: '300' },
    // Cron would only add noise to the counters; the leftover flush it drives is a unit test.
    cronIntervalMs: 3_600_000,
  });
  url = `https://127.0.0.1:${runtime.url.port}`;
  agent = new https.Agent({ ca: tls.certPem, keepAlive: true });
  kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: t',
      'clusters: [{name: t, cluster: {server: "' +
        url +
        '", certificate-authority: "' +
        path.join(base, 'tls', 'server.crt') +
        '"}}]',
      'users: [{name: t, user: {token: "' + token + '"}}]',
      'contexts: [{name: t, context: {cluster: t, user: t}}]',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  agent?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

function api<T = Record<string, any>>(method: string, p: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(p, url),
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () =>
          res.statusCode! >= 300
            ? reject(new Error(`${method} ${p}: ${res.statusCode} ${data}`))
            : resolve(JSON.parse(data) as T),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const schedulerStatus = () => runtime.loopStatus('scheduler') as Promise<Record<string, number>>;

async function eventually<T>(
  what: string,
  f: () => Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A Node as an agent registers it: capacity, Ready, and its Lease. */
async function addNode(name: string, cpu: string): Promise<void> {
  const status = {
    capacity: { cpu, memory: '8Gi', pods: '110' },
    allocatable: { cpu, memory: '8Gi', pods: '110' },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'ready',
        lastHeartbeatTime: now(),
        lastTransitionTime: now(),
      },
    ],
  };
  const node = await api('POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status,
  });
  await api('PUT', `/api/v1/nodes/${name}/status`, { ...node, status });
  await api('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name },
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: 40,
      renewTime: new Date().toISOString().replace('Z', '000Z'),
    },
  });
}

/** What an agent does between status changes: renews its Lease, and rewrites its status with new heartbeat times only. */
async function heartbeat(name: string): Promise<void> {
  const lease = await api(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`,
  );
  await api('PUT', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, {
    ...lease,
    spec: { ...lease.spec, renewTime: new Date().toISOString().replace('Z', '000Z') },
  });
  const node = await api('GET', `/api/v1/nodes/${name}`);
  const conditions = node.status.conditions.map((c: Record<string, string>) => ({
    ...c,
    lastHeartbeatTime: now(),
  }));
  await api('PUT', `/api/v1/nodes/${name}/status`, {
    ...node,
    status: { ...node.status, conditions },
  });
}

function kubectl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

describe('the scheduling queue in the real scheduler Worker', () => {
  it('retries an unschedulable pod when a node it fits on is added, but not on lease renewals or node heartbeats', async () => {
    await addNode('small', '2');
    await api('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge' },
      spec: {
        containers: [
          { name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '5' } } },
        ],
      },
    });
    await eventually(
      'huge marked Unschedulable',
      async () => {
        const pod = await api('GET', '/api/v1/namespaces/default/pods/huge');
        return pod.status?.conditions?.some(
          (c: Record<string, string>) => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
        )
          ? true
          : undefined;
      },
      10_000,
    );
    // Let the first backoff (1 s) lapse so that any retry would show.
    await sleep(2_500);
    const before = await schedulerStatus();
    for (let i = 0; i < 8; i++) {
      await heartbeat('small');
      await sleep(1_000);
    }
    const after = await schedulerStatus();
    console.log(
      `failed attempts before/after 8 lease renewals and node heartbeats: ${before.failed} / ${after.failed}`,
    );
    expect(
      after.failed - before.failed,
      'the scheduler retried the pod on heartbeats that cannot help it',
    ).toBe(0);

    const t0 = Date.now();
    await addNode('big', '8');
    const node = await eventually(
      'huge bound',
      async () =>
        (await api('GET', '/api/v1/namespaces/default/pods/huge')).spec?.nodeName as
          string | undefined,
      5_000,
    );
    console.log(`huge bound to ${node} ${Date.now() - t0} ms after the node was added`);
    expect(node).toBe('big');
  }, 90_000);

  it('binds 50 pods with no relist of pods and at most 1.2 requests per pod, and kubectl describe shows each one Scheduled by default-scheduler', async () => {
    const before = await schedulerStatus();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api('POST', '/api/v1/namespaces/default/pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p${i}`, labels: { app: 'many' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.example/app:1',
                resources: { requests: { cpu: '10m' } },
              },
            ],
          },
        }),
      ),
    );
    await eventually(
      '50 pods bound',
      async () => {
        const list = await api('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dmany');
        return list.items.filter((p: { spec: { nodeName?: string } }) => p.spec.nodeName).length ===
          50
          ? true
          : undefined;
      },
      20_000,
    );
    await sleep(1_500);
    const after = await schedulerStatus();
    const perPod = (after.requests - before.requests) / (after.bound - before.bound);
    console.log(
      `50 pods: ${after.requests - before.requests} scheduler requests (${perPod.toFixed(2)} per bound pod), ${after.lists - before.lists} lists, ${after.passes - before.passes} passes`,
    );
    expect(after.bound - before.bound).toBe(50);
    expect(after.lists - before.lists, 'a pass listed pods or nodes again').toBe(0);
    // One binding per pod; the Scheduled events go in one call per pass.
    expect(perPod).toBeLessThanOrEqual(1.2);
    const describe = await kubectl(['describe', 'pod', 'p7']);
    expect(describe).toMatch(
      /Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/p7 to (small|big)/,
    );
  }, 60_000);
});

describe('after an eviction', () => {
  it('lists pods and nodes once to rebuild its caches, and counts every bound pod again', async () => {
    const worker = (await runtime.mf.getWorker('edgeplane-scheduler')) as unknown as {
      rebuild(): Promise<{ ms: number; pods: number; nodes: number }>;
    };
    const before = await schedulerStatus();
    const rebuilt = await worker.rebuild();
    console.log(
      `rebuild: ${rebuilt.pods} pods and ${rebuilt.nodes} nodes listed in ${rebuilt.ms} ms`,
    );
    expect(rebuilt).toMatchObject({ nodes: 2, pods: 51 });
    const create = (name: string, cpu: string) =>
      api('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          containers: [
            { name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu } } },
          ],
        },
      });
    // big has 8 cpu, 5 of them huge's and 10m per small pod: 2 cpu still fit there, 4 fit nowhere
    // unless the rebuilt cache forgot huge.
    await create('needs-2', '2');
    await create('needs-4', '4');
    const node = await eventually(
      'needs-2 bound',
      async () =>
        (await api('GET', '/api/v1/namespaces/default/pods/needs-2')).spec?.nodeName as
          string | undefined,
      10_000,
    );
    expect(node).toBe('big');
    const unschedulable = await eventually(
      'needs-4 Unschedulable',
      async () => {
        const pod = await api('GET', '/api/v1/namespaces/default/pods/needs-4');
        expect(pod.spec?.nodeName).toBeUndefined();
        return pod.status?.conditions?.find(
          (c: Record<string, string>) => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
        )?.message as string | undefined;
      },
      10_000,
    );
    expect(unschedulable).toMatch(/^0\/2 nodes are available: 2 Insufficient cpu\./);
    const after = await schedulerStatus();
    expect(after.lists - before.lists, 'the rebuild lists pods and nodes once each').toBe(2);
  }, 60_000);
});
