// End to end: namespace guardrails with the real kubectl. A ResourceQuota of 3 pods refuses the
// 4th with upstream's 403 and gives the room back when a pod goes; a LimitRange's defaults land in
// a new pod's spec and its max refuses a pod that asks for more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import { eventually } from '../agent/helpers';

let c: Cluster;
const NS = 'guarded';

const pod = (name: string, resources?: object) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: { containers: [{ name: 'app', image: 'app:1', ...(resources ? { resources } : {}) }] },
});

const create = (obj: object) => c.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '0'] });
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: NS },
      spec: { hard: { pods: '3', 'requests.cpu': '2', 'limits.memory': '1Gi' } },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'defaults', namespace: NS },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: '200m', memory: '64Mi' },
            defaultRequest: { cpu: '100m' },
            max: { cpu: '1' },
          },
        ],
      },
    },
  ];
  for (const o of objects) {
    const r = await create(o);
    expect(r.code, r.stderr).toBe(0);
  }
  await eventually('the quota controller to fill in status', async () => {
    const r = await c.kubectl([
      'get',
      'quota',
      'q',
      '-n',
      NS,
      '-o',
      'jsonpath={.status.used.pods}',
    ]);
    return r.stdout === '0' || undefined;
  });
}, 120_000);

afterAll(async () => {
  await cleanupClusters();
}, 60_000);

describe('LimitRange', () => {
  it('puts its defaults into a new pod and refuses one over its max', async () => {
    expect((await create(pod('p1'))).code).toBe(0);
    const got = JSON.parse((await c.kubectl(['get', 'pod', 'p1', '-n', NS, '-o', 'json'])).stdout);
    expect(got.spec.containers[0].resources).toEqual({
      limits: { cpu: '200m', memory: '64Mi' },
      requests: { cpu: '100m', memory: '64Mi' },
    });
    // The defaults make it Burstable (requests below limits), not BestEffort.
    expect(got.status.qosClass).toBe('Burstable');
    expect(got.metadata.annotations['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app',
    );
    const big = await create(pod('big', { limits: { cpu: '2' } }));
    expect(big.code).toBe(1);
    expect(big.stderr).toContain(
      'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );
  });
});

describe('ResourceQuota', () => {
  it('refuses the 4th pod of a 3-pod quota with upstream 403 message, and shows use in kubectl get', async () => {
    for (const n of ['p2', 'p3']) expect((await create(pod(n))).code).toBe(0);
    const fourth = await create(pod('p4'));
    expect(fourth.code).toBe(1);
    expect(fourth.stderr).toContain(
      'Error from server (Forbidden): error when creating "STDIN": pods "p4" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3',
    );
    const table = await c.kubectl(['get', 'quota', '-n', NS]);
    const [header, row] = table.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/));
    expect(header).toEqual(['NAME', 'AGE', 'REQUEST', 'LIMIT']);
    expect(row[0]).toBe('q');
    expect(row[2]).toBe('pods: 3/3, requests.cpu: 300m/2');
    expect(row[3]).toBe('limits.memory: 192Mi/1Gi');
  });

  it('gives the room back once a pod is deleted', async () => {
    expect(
      (await c.kubectl(['delete', 'pod', 'p1', '-n', NS, '--grace-period=0', '--force'])).code,
    ).toBe(0);
    await eventually('the quota to show 2 pods used', async () => {
      const r = await c.kubectl([
        'get',
        'quota',
        'q',
        '-n',
        NS,
        '-o',
        'jsonpath={.status.used.pods}',
      ]);
      return r.stdout === '2' || undefined;
    });
    const r = await create(pod('p4'));
    expect(r.code, r.stderr).toBe(0);
  });

  it('lets exactly one of three concurrent creates take the last slot', async () => {
    expect(
      (await c.kubectl(['delete', 'pod', 'p2', '-n', NS, '--grace-period=0', '--force'])).code,
    ).toBe(0);
    await eventually('the quota to show 2 pods used', async () => {
      const r = await c.kubectl([
        'get',
        'quota',
        'q',
        '-n',
        NS,
        '-o',
        'jsonpath={.status.used.pods}',
      ]);
      return r.stdout === '2' || undefined;
    });
    const results = await Promise.all(['r1', 'r2', 'r3'].map((n) => create(pod(n))));
    expect(results.filter((r) => r.code === 0)).toHaveLength(1);
    for (const r of results.filter((x) => x.code !== 0))
      expect(r.stderr).toContain(
        'exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3',
      );
  });
});
