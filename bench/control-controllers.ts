// The controllers' rows of `npm run bench -- control`: pod writes with wake-ups, one change in a converged
// 3,000-pod cluster (requests and CPU of the controllers' passes), and the cache rebuild of a 10,000-pod cluster
// after the leader is evicted. The plane has no nodes: pods stay Pending, which is all the controllers need.
import fs from 'node:fs';
import type { Runtime } from '../src/cli/runtime';
import { descendants } from '../src/cli/processes';
import { send, type Target } from './http';

const CLK_TCK = 100;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

export interface ControllersPlane {
  runtime: Runtime;
  target: Target;
}

interface Status {
  requests: number;
  passes: number;
  keys: number;
  queued: number;
  starts: number;
  lastStartMs: number;
  caches: Record<string, { objects: number; relists: number; lastListMs: number }>;
  nextAlarm: number | null;
}

type Hooks = {
  status(): Promise<Status>;
  evict(): Promise<void>;
  wake(keys: unknown[]): Promise<void>;
};
const controllers = (p: ControllersPlane) =>
  p.runtime.mf.getWorker('edgeplane-controllers') as unknown as Promise<Hooks>;

function workerdCpuSeconds(): number {
  let ticks = 0;
  for (const d of descendants(process.pid)) {
    if (!/workerd/.test(d.cmd)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLK_TCK;
}

async function must(
  p: ControllersPlane,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ items?: { metadata: { name: string; deletionTimestamp?: string } }[] }> {
  const res = await send(
    p.target,
    method,
    route,
    body === undefined ? undefined : JSON.stringify(body),
  );
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${route} answered ${res.status}: ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body);
}

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export interface WakeWritesCell {
  writers: number;
  seconds: number;
  writes: number;
  rate: number;
  p50: number;
  p99: number;
  /** Lease creates over the same path, waking nobody. */
  baselineRate: number;
  baselineP50: number;
}

/**
 * Creates through the HTTP path as fast as `writers` clients go: pods (each one waking the scheduler
 * and the controllers), and then, for the same time, Leases (partitioned the same way, waking
 * nobody): the second figure is the path without wake-ups under the machine's load of the moment.
 */
export async function wakeWritesCell(
  p: ControllersPlane,
  writers: number,
  seconds: number,
): Promise<WakeWritesCell> {
  await must(p, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'wakes' },
  });
  const drive = async (route: string, body: (name: string) => unknown) => {
    const lat: number[] = [];
    const t0 = Date.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; Date.now() < end; i++) {
          const s = performance.now();
          const res = await send(p.target, 'POST', route, JSON.stringify(body(`w${w}-${i}`)));
          if (res.status !== 201)
            throw new Error(`create answered ${res.status}: ${res.body.slice(0, 200)}`);
          lat.push(performance.now() - s);
        }
      }),
    );
    return { lat, wall: (Date.now() - t0) / 1000 };
  };
  const pods = await drive('/api/v1/namespaces/wakes/pods', (name) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  }));
  const leases = await drive('/apis/coordination.k8s.io/v1/namespaces/wakes/leases', (name) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name },
    spec: { holderIdentity: 'bench', leaseDurationSeconds: 40 },
  }));
  return {
    writers,
    seconds: pods.wall,
    writes: pods.lat.length,
    rate: pods.lat.length / pods.wall,
    p50: quantile(pods.lat, 0.5),
    p99: quantile(pods.lat, 0.99),
    baselineRate: leases.lat.length / leases.wall,
    baselineP50: quantile(leases.lat, 0.5),
  };
}

/** Waits until the controllers have nothing due soon and made no request for `stillMs`. */
async function quiet(p: ControllersPlane, stillMs = 1500, timeoutMs = 120_000): Promise<Status> {
  const t0 = Date.now();
  let last = await (await controllers(p)).status();
  let since = Date.now();
  for (;;) {
    await sleep(250);
    const s = await (await controllers(p)).status();
    const dueSoon = s.nextAlarm !== null && s.nextAlarm < Date.now() + 5000;
    if (s.requests !== last.requests || s.passes !== last.passes || dueSoon) since = Date.now();
    last = s;
    if (Date.now() - since >= stillMs) return s;
    if (Date.now() - t0 > timeoutMs) throw new Error('the controllers did not settle');
  }
}

async function livePods(p: ControllersPlane, ns: string, selector?: string): Promise<number> {
  const list = await must(
    p,
    'GET',
    `/api/v1/namespaces/${ns}/pods${selector ? `?labelSelector=${encodeURIComponent(selector)}` : ''}`,
  );
  return (list.items ?? []).filter((x) => !x.metadata.deletionTimestamp).length;
}

async function replicaSets(
  p: ControllersPlane,
  ns: string,
  from: number,
  to: number,
  replicas: number,
): Promise<void> {
  for (let i = from; i < to; i++) {
    await must(p, 'POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `rs-${i}` },
      spec: {
        replicas,
        selector: { matchLabels: { app: `rs-${i}` } },
        template: {
          metadata: { labels: { app: `rs-${i}` } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
  }
}

async function waitPods(
  p: ControllersPlane,
  ns: string,
  count: number,
  timeoutMs = 600_000,
): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const n = await livePods(p, ns);
    if (n >= count) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`only ${n} of ${count} pods after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

export interface ConvergedCell {
  pods: number;
  /** The controllers went quiet (no request for 3 s, nothing due within 5 s) once the pods existed. */
  settled: boolean;
  /** Over a 10 s window with no change at all. */
  idleRequests: number;
  idlePasses: number;
  idleCpuSeconds: number;
  requests: number;
  passes: number;
  keys: number;
  cpuSeconds: number;
  replacedMs: number;
}

/**
 * 3,000 pods in 30 ReplicaSets of 100, converged; then one pod is deleted and the ReplicaSet
 * replaces it. Counted from the delete until the controllers are quiet again: their requests,
 * passes and keys, and the CPU of every workerd process (the API's work for the delete, the create
 * and its events included).
 */
export async function convergedCell(p: ControllersPlane, pods: number): Promise<ConvergedCell> {
  const ns = 'converged';
  await must(p, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const sets = Math.ceil(pods / 100);
  await replicaSets(p, ns, 0, sets, 100);
  log(`  waiting for ${sets * 100} pods`);
  const made = await waitPods(p, ns, sets * 100);
  log(
    `  ${sets * 100} pods in ${(made / 1000).toFixed(0)} s; waiting for the controllers to settle`,
  );
  const settled = await quiet(p, 3000, 120_000).then(
    () => true,
    () => false,
  );
  const c = await controllers(p);
  const idle0 = await c.status();
  const idleCpu0 = workerdCpuSeconds();
  await sleep(10_000);
  const idle1 = await c.status();
  const idleCpuSeconds = workerdCpuSeconds() - idleCpu0;
  const before = await c.status();
  const cpu0 = workerdCpuSeconds();
  const t0 = Date.now();
  const victim = (
    await must(p, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Drs-0&limit=1`)
  ).items![0];
  await must(p, 'DELETE', `/api/v1/namespaces/${ns}/pods/${victim.metadata.name}`);
  let replacedMs = 0;
  for (;;) {
    if ((await livePods(p, ns, 'app=rs-0')) === 100) {
      replacedMs = Date.now() - t0;
      break;
    }
    if (Date.now() - t0 > 60_000) throw new Error('the deleted pod was not replaced within 60 s');
    await sleep(50);
  }
  // Controllers that never settle are counted over the same 10 s as the idle window instead.
  const after = settled
    ? await quiet(p, 1500)
    : (await sleep(Math.max(0, 10_000 - (Date.now() - t0))), await c.status());
  return {
    pods: sets * 100,
    settled,
    idleRequests: idle1.requests - idle0.requests,
    idlePasses: idle1.passes - idle0.passes,
    idleCpuSeconds,
    requests: after.requests - before.requests,
    passes: after.passes - before.passes,
    keys: after.keys - before.keys,
    cpuSeconds: workerdCpuSeconds() - cpu0,
    replacedMs,
  };
}

export interface RebuildCell {
  pods: number;
  objects: number;
  startMs: number;
  podListMs: number;
}

/** Grows the cluster to `pods`, evicts the controllers' leader, wakes it, and reads how long its caches took to list everything again. */
export async function rebuildCell(p: ControllersPlane, pods: number): Promise<RebuildCell> {
  const ns = 'converged';
  const have = await livePods(p, ns);
  if (pods > have) {
    const first = Math.ceil(have / 100);
    await replicaSets(p, ns, first, Math.ceil(pods / 100), 100);
    log(`  waiting for ${pods} pods`);
    await waitPods(p, ns, pods);
    await quiet(p, 3000);
  }
  const c = await controllers(p);
  await c.evict();
  await c.wake([]);
  for (const t0 = Date.now(); ;) {
    const s = await c.status();
    if (s.starts >= 1 && s.lastStartMs > 0) {
      const objects = Object.values(s.caches).reduce((n, k) => n + k.objects, 0);
      return {
        pods: s.caches.pods?.objects ?? 0,
        objects,
        startMs: s.lastStartMs,
        podListMs: s.caches.pods?.lastListMs ?? 0,
      };
    }
    if (Date.now() - t0 > 300_000)
      throw new Error('the evicted leader did not rebuild its caches within 300 s');
    await sleep(250);
  }
}

export interface ControllersRows {
  wake?: WakeWritesCell;
  converged?: ConvergedCell;
  rebuild?: RebuildCell;
  failure?: string;
}

export interface ControllersOptions {
  wakeSeconds: number;
  convergedPods: number;
  rebuildPods: number;
}

/** Runs the controllers' cells on a plane of their own (`start`/`stop` are the benchmark's). */
export async function controllersSection<P extends ControllersPlane>(
  start: () => Promise<P>,
  stop: (p: P) => Promise<void>,
  opts: ControllersOptions,
): Promise<ControllersRows> {
  const rows: ControllersRows = {};
  let p: P | undefined;
  try {
    log('control plane D: controllers (no nodes)');
    p = await start();
    if (opts.wakeSeconds > 0) {
      log(`pod writes with wake-ups, 8 writers, ${opts.wakeSeconds} s`);
      rows.wake = await wakeWritesCell(p, 8, opts.wakeSeconds);
      log(`  ${rows.wake.rate.toFixed(0)} writes/s`);
    }
    if (opts.convergedPods > 0) {
      log(`converged ${opts.convergedPods}-pod cluster, one pod deleted`);
      rows.converged = await convergedCell(p, opts.convergedPods);
      log(`  ${rows.converged.requests} controller requests, ${rows.converged.passes} passes`);
      if (opts.rebuildPods > 0) {
        log(
          `cache rebuild of a ${opts.rebuildPods}-pod cluster after the controllers' leader is evicted`,
        );
        rows.rebuild = await rebuildCell(p, opts.rebuildPods);
        log(`  ${rows.rebuild.startMs} ms`);
      }
    }
  } catch (err) {
    rows.failure = `control plane D (controllers): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    log(rows.failure);
  } finally {
    if (p) await stop(p);
  }
  return rows;
}

export function printControllers(
  rows: ControllersRows,
  table: (head: string[], body: (string | number)[][]) => string,
): void {
  if (rows.wake) {
    const w = rows.wake;
    console.log('');
    console.log(
      `== (f) pod writes through HTTP with wake-ups of the scheduler and the controllers, ${w.writers} writers ==`,
    );
    console.log(
      table(
        [
          'pod writes',
          'window s',
          'writes/s',
          'p50 ms',
          'p99 ms',
          'Lease writes/s (no wake-ups)',
          'Lease p50 ms',
        ],
        [
          [
            w.writes,
            w.seconds.toFixed(1),
            w.rate.toFixed(0),
            w.p50.toFixed(1),
            w.p99.toFixed(1),
            w.baselineRate.toFixed(0),
            w.baselineP50.toFixed(1),
          ],
        ],
      ),
    );
  }
  if (rows.converged) {
    const c = rows.converged;
    console.log('');
    console.log(
      `== (g) converged ${c.pods.toLocaleString('en')}-pod cluster (ReplicaSets of 100, no nodes), one pod deleted: the controllers until quiet again ==`,
    );
    console.log(
      table(
        [
          'window',
          'controller requests',
          'controller passes',
          'keys reconciled',
          'workerd CPU s (API, scheduler included)',
        ],
        [
          ['10 s, no change', c.idleRequests, c.idlePasses, '-', c.idleCpuSeconds.toFixed(2)],
          [
            `one pod deleted, replaced after ${c.replacedMs} ms, ${c.settled ? 'until quiet' : '10 s (the controllers never went quiet)'}`,
            c.requests,
            c.passes,
            Number.isFinite(c.keys) ? c.keys : '-',
            c.cpuSeconds.toFixed(2),
          ],
        ],
      ),
    );
    console.log(
      '(keys reconciled include any cron resync inside the window: edgeplane dev fires cron every 60 s)',
    );
  }
  if (rows.rebuild) {
    const r = rows.rebuild;
    console.log('');
    console.log(
      `== (h) controllers' cache rebuild after eviction: ${r.pods.toLocaleString('en')} pods (${r.objects.toLocaleString('en')} objects of every kind) ==`,
    );
    console.log(
      table(
        ['pods', 'objects', 'rebuild ms (every kind listed)', 'pods list ms'],
        [[r.pods, r.objects, r.startMs, r.podListMs]],
      ),
    );
  }
  if (rows.failure) console.log(`\n${rows.failure}`);
}

export function controllersTargets(
  rows: ControllersRows,
): { figure: string; measured: string; target: string }[] {
  const out: { figure: string; measured: string; target: string }[] = [];
  if (rows.wake)
    out.push({
      figure: 'pod writes through HTTP with wake-ups, 8 writers',
      measured: `${rows.wake.rate.toFixed(0)} writes/s (Leases, no wake-ups, same run: ${rows.wake.baselineRate.toFixed(0)}/s)`,
      target: '>= 600 writes/s',
    });
  if (rows.converged) {
    out.push({
      figure: `requests and CPU per controllers pass in a converged ${rows.converged.pods.toLocaleString('en')}-pod cluster after one pod changes`,
      measured: `${rows.converged.requests} requests in ${rows.converged.passes} passes, ${rows.converged.cpuSeconds.toFixed(2)} CPU s (idle 10 s: ${rows.converged.idleRequests} requests)`,
      target: '<= 5 requests',
    });
  }
  return out;
}
