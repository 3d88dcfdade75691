// End to end: `kubectl top` with no metrics-server, and a HorizontalPodAutoscaler that scales on it.
// A process-runtime node measures real processes (a busy loop near one core, a 200 MiB allocation
// near 200 MiB); simulated nodes report the synthetic load their pods' annotations ask for, which
// drives `kubectl autoscale` up to its max and, after a short stabilization window, back down.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  eventually,
  killRecordedContainers,
  randomSlots,
  startAgent,
  stopAgents,
} from '../agent/helpers';

let c: Cluster;
let procState: string;
const PROC_NODE = 'top-proc';

function pod(name: string, node: string, command: string[], annotations = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name }, annotations },
    spec: {
      nodeName: node,
      containers: [{ name: 'main', image: 'host', command }],
    },
  };
}

beforeAll(async () => {
  // A 1 s HPA sync period (upstream's default is 15 s) keeps the autoscaling case short.
  c = await startCluster({
    extraArgs: ['--agents', '0', '--horizontal-pod-autoscaler-sync-period', '1s'],
  });
  const [proc, fake] = [randomSlots(1)[0], randomSlots(2)[0]];
  procState = path.join(c.stateDir, '..', 'proc-agent');
  await Promise.all([
    startAgent(c, [
      '--runtime',
      'process',
      '--name',
      PROC_NODE,
      '--address',
      proc.address,
      '--state',
      procState,
      '--metrics-interval',
      '2s',
    ]),
    startAgent(c, [
      '--runtime',
      'fake',
      '--nodes',
      '2',
      '--name-prefix',
      'top-sim-',
      '--address',
      fake.address,
      '--state',
      path.join(c.stateDir, '..', 'fake-agent'),
      '--metrics-interval',
      '2s',
      '--fake-load',
      'cpu=5m,memory=10Mi',
      '--labels',
      'sim=true',
    ]),
  ]);
  const objects = [
    pod('busy', PROC_NODE, ['sh', '-c', 'while :; do :; done']),
    pod('hog', PROC_NODE, [
      process.execPath,
      '-e',
      'globalThis.b = Buffer.alloc(200 * 2 ** 20, 1); setInterval(() => {}, 1000)',
    ]),
    pod('sim', 'top-sim-1', ['x'], {
      'edgeplane.dev/fake-cpu': '300m',
      'edgeplane.dev/fake-memory': '96Mi',
    }),
    pod('quiet', 'top-sim-2', ['x']),
  ];
  const r = await c.kubectl(['apply', '--validate=false', '-f', '-'], {
    input: objects.map((o) => JSON.stringify(o)).join('\n'),
  });
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await stopAgents();
  if (procState) killRecordedContainers(procState);
  await cleanupClusters();
}, 60_000);

/** `kubectl top` rows as arrays of columns, header dropped. */
function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
}

const milli = (s: string) => (s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000);
const mebi = (s: string) => Number(s.replace(/Mi$/, ''));

describe('kubectl top', () => {
  it('shows pods and their containers with plausible figures, sorted by CPU', async () => {
    const top = await eventually('all four pods in kubectl top', async () => {
      const r = await c.kubectl(['top', 'pods', '-A', '--containers', '--sort-by=cpu']);
      if (r.code !== 0) throw new Error(r.stderr);
      const got = rows(r.stdout);
      if (got.length < 4) throw new Error(r.stdout);
      return { got, out: r.stdout };
    });
    console.log(top.out);
    expect(top.out.split('\n')[0].trim().split(/\s+/)).toEqual([
      'NAMESPACE',
      'POD',
      'NAME',
      'CPU(cores)',
      'MEMORY(bytes)',
    ]);
    const by = Object.fromEntries(top.got.map((r) => [r[1], r]));
    // A busy loop: about one core on a quiet machine; the shared test machine may give it far less
    // (test/agent/metrics.test.ts pins the rate arithmetic).
    expect(milli(by.busy[3])).toBeGreaterThan(50);
    expect(milli(by.busy[3])).toBeLessThanOrEqual(1100);
    expect(mebi(by.hog[4])).toBeGreaterThan(195);
    expect(mebi(by.hog[4])).toBeLessThan(300);
    expect(by.sim.slice(2)).toEqual(['main', '300m', '96Mi']);
    expect(by.quiet.slice(2)).toEqual(['main', '5m', '10Mi']);
    const cpus = top.got.map((r) => milli(r[3]));
    expect(cpus).toEqual([...cpus].sort((a, b) => b - a)); // --sort-by=cpu
  });

  it('shows nodes, with use against allocatable, and one pod by name', async () => {
    const nodes = await eventually('three nodes in kubectl top nodes', async () => {
      const r = await c.kubectl(['top', 'nodes']);
      if (r.code !== 0 || rows(r.stdout).length < 3) throw new Error(r.stdout + r.stderr);
      return r.stdout;
    });
    console.log(nodes);
    const by = Object.fromEntries(rows(nodes).map((r) => [r[0], r]));
    // The simulated node: its system share (50m, 256Mi) plus the pod's 300m and 96Mi.
    expect(by['top-sim-1'].slice(1, 2)).toEqual(['350m']);
    expect(by['top-sim-1'][3]).toBe('352Mi');
    expect(by['top-sim-1'][2]).toMatch(/^\d+%$/);
    expect(milli(by[PROC_NODE][1])).toBeGreaterThan(50);
    const one = await c.kubectl(['top', 'pod', 'sim']);
    expect(one.code, one.stderr).toBe(0);
    expect(rows(one.stdout)).toEqual([['sim', '300m', '96Mi']]);
    const missing = await c.kubectl(['top', 'pod', 'nope']);
    expect(missing.stderr).toContain('podmetrics.metrics.k8s.io "default/nope" not found');
  });
});

function webDeployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: {
          labels: { app: 'web' },
          // 1.9 cores against a request of 1: 190% of request, against a 50% target.
          annotations: { 'edgeplane.dev/fake-cpu': '1900m' },
        },
        spec: {
          nodeSelector: { sim: 'true' },
          containers: [{ name: 'web', image: 'web:1', resources: { requests: { cpu: '1' } } }],
        },
      },
    },
  };
}

async function replicas(): Promise<number> {
  const r = await c.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
  return Number(r.stdout);
}

describe('kubectl autoscale', () => {
  it('scales a Deployment from 2 to its max on load, and back after the stabilization window', async () => {
    const r = await c.kubectl(['apply', '--validate=false', '-f', '-'], {
      input: JSON.stringify(webDeployment()),
    });
    expect(r.code, r.stderr).toBe(0);
    await eventually('web pods in kubectl top', async () => {
      const t = await c.kubectl(['top', 'pods', '-l', 'app=web', '--no-headers']);
      if (rows(`x\n${t.stdout}`).length < 2) throw new Error(t.stdout + t.stderr);
      return true;
    });
    const as = await c.kubectl([
      'autoscale',
      'deployment',
      'web',
      '--min=2',
      '--max=5',
      '--cpu-percent=50',
    ]);
    expect(as.code, as.stderr).toBe(0);
    expect(as.stdout.trim()).toBe('horizontalpodautoscaler.autoscaling/web autoscaled');
    // autoscaling/v1 has no behavior: a v2 patch adds a faster scale-up and a 5 s scale-down window.
    const behavior = {
      scaleUp: { policies: [{ type: 'Percent', value: 200, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 5 },
    };
    const patched = await c.kubectl([
      'patch',
      'hpa',
      'web',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { behavior } }),
    ]);
    expect(patched.code, patched.stderr).toBe(0);

    await eventually(
      'web scaled to 5',
      async () => {
        if ((await replicas()) !== 5) throw new Error(`replicas ${await replicas()}`);
        return true;
      },
      40_000,
    );
    const hpa = await eventually(
      'the HPA to report 5 replicas',
      async () => {
        const g = await c.kubectl(['get', 'hpa', 'web']);
        if (!/\s5\s+\S+\s*$/.test(g.stdout.trim().split('\n')[1] ?? '')) throw new Error(g.stdout);
        return g.stdout;
      },
      30_000,
    );
    console.log(hpa);
    const [header, row] = hpa
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/));
    expect(header).toEqual([
      'NAME',
      'REFERENCE',
      'TARGETS',
      'MINPODS',
      'MAXPODS',
      'REPLICAS',
      'AGE',
    ]);
    expect(row.slice(0, 2)).toEqual(['web', 'Deployment/web']);
    expect(row[2]).toMatch(/^cpu: \d+%\/50%$/);
    expect(row.slice(3, 6)).toEqual(['2', '5', '5']);

    const json = JSON.parse(
      (await c.kubectl(['get', 'hpa.v2.autoscaling', 'web', '-o', 'json'])).stdout,
    );
    const conds = Object.fromEntries(
      json.status.conditions.map((k: { type: string; status: string; reason: string }) => [
        k.type,
        `${k.status}/${k.reason}`,
      ]),
    );
    expect(conds.ScalingActive).toBe('True/ValidMetricFound');
    expect(conds.ScalingLimited).toBe('True/TooManyReplicas');

    // The load goes away: after the 5 s window the HPA goes back to its minimum.
    const low = await c.kubectl([
      'annotate',
      'pods',
      '-l',
      'app=web',
      'edgeplane.dev/fake-cpu=10m',
      '--overwrite',
    ]);
    expect(low.code, low.stderr).toBe(0);
    await eventually(
      'web back to 2',
      async () => {
        if ((await replicas()) !== 2) throw new Error(`replicas ${await replicas()}`);
        return true;
      },
      45_000,
    );
    const events = await c.kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.kind=HorizontalPodAutoscaler',
      '-o',
      'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
    ]);
    console.log(events.stdout);
    expect(events.stdout).toContain(
      'SuccessfulRescale: New size: 5; reason: cpu resource utilization (percentage of request) above target',
    );
    expect(events.stdout).toContain(
      'SuccessfulRescale: New size: 2; reason: All metrics below target',
    );
  }, 120_000);
});
