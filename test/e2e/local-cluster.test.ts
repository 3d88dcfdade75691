// End to end on real local nodes: `edgeplane dev --agents 2 --runtime process` runs examples/web/app.yaml
// (node-1 on 127.0.0.2, node-2 on 127.0.0.3). With the real kubectl and plain HTTP on loopback it checks:
// rollout, the NodePort round-robin on both nodes, kubectl logs (and logs -f ending when its pod goes),
// a killed container process restarting, kubectl delete pod within the grace period, and an agent that
// dies (SIGKILL): its node goes NotReady, its pod is recreated on node-1, and the service keeps answering;
// stopping the cluster then also stops the containers that agent left running.
// Processes are found by PID (state folder records and /proc), never killed by name.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  killGroup,
  processAlive,
  ROOT,
  startCluster,
  type Cluster,
} from '../helpers/cluster';

interface Pod {
  metadata: {
    name: string;
    uid: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
  };
  spec: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; restartCount: number; ready: boolean }[];
  };
}

let c: Cluster;
/** `kubectl logs -f` children (each leads its own process group), killed by PID in afterAll. */
const followers: ChildProcess[] = [];
/** Container processes of the agent we SIGKILL (they outlive it); checked and killed by PID in afterAll. */
let orphans: { pid: number; startTicks: string }[] = [];

beforeAll(async () => {
  c = await startCluster({
    extraArgs: [
      '--agents',
      '2',
      '--runtime',
      'process',
      '--node-monitor-grace-period',
      '8s',
      '--default-toleration-seconds',
      '5',
    ],
  });
}, 120_000);

afterAll(async () => {
  for (const f of followers)
    if (f.exitCode === null && f.signalCode === null) killGroup(f.pid!, 'SIGKILL');
  await cleanupClusters();
  // Only when a test failed before the cluster's stop stopped them (the last test asserts that it does).
  for (const o of orphans.filter((x) => sameProcess(x.pid, x.startTicks))) {
    try {
      process.kill(-o.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await sleep(everyMs);
  }
}

/** A plain GET over a fresh connection. */
function get(url: string, timeoutMs = 1_500): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function kubectlOk(
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const r = await c.kubectl(args, opts);
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function pods(selector = 'app=web'): Promise<Pod[]> {
  const out = await kubectlOk(['get', 'pods', '-l', selector, '-o', 'json']);
  return (JSON.parse(out) as { items: Pod[] }).items;
}

const isReady = (p: Pod) =>
  !p.metadata.deletionTimestamp &&
  p.status?.phase === 'Running' &&
  !!p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');

async function readyPods(
  n: number,
  timeoutMs: number,
  ok: (ps: Pod[]) => boolean = () => true,
): Promise<Pod[]> {
  return eventually(
    `${n} ready web pods`,
    async () => {
      const all = await pods();
      const live = all.filter((p) => !p.metadata.deletionTimestamp);
      return live.length === n && live.every(isReady) && ok(live) ? live : undefined;
    },
    timeoutMs,
    300,
  );
}

/** The container records the process runtime keeps for a pod: `<state>/agents/<node>/process/pods/<uid>/containers/*.json`. */
function containerRecords(
  node: string,
  uid: string,
): { pid: number; startTicks: string; name: string }[] {
  const dir = path.join(c.stateDir, 'agents', node, 'process', 'pods', uid, 'containers');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map(
      (f) =>
        JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
          pid: number;
          startTicks: string;
          name: string;
          state: string;
        },
    )
    .filter((r) => r.state === 'running' && typeof r.pid === 'number');
}

/** True when `pid` is alive and is the process that started at `startTicks` (field 22 of /proc/PID/stat). */
function sameProcess(pid: number, startTicks: string): boolean {
  if (!processAlive(pid)) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] === String(startTicks);
  } catch {
    return false;
  }
}

/** Descendants of `root` whose command line contains every one of `parts`, read from /proc. */
function findDescendants(root: number, parts: string[]): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended while we looked
    }
  }
  const isUnder = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    if (!isUnder(pid)) return false;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      return parts.every((x) => cmd.includes(x));
    } catch {
      return false;
    }
  });
}

const podOf = (body: string) => /^hello from (\S+) /.exec(body)?.[1];

describe('local cluster with two process-runtime nodes', () => {
  it('kubectl apply examples/web/app.yaml rolls out two Ready pods on different nodes', async () => {
    const out = await kubectlOk(['apply', '-f', path.join(ROOT, 'examples/web/app.yaml')]);
    expect(out).toContain('deployment.apps/web');
    expect(out).toContain('service/web');
    await kubectlOk(['rollout', 'status', 'deploy/web', '--timeout=60s'], { timeoutMs: 70_000 });
    const ps = await readyPods(2, 15_000);
    expect(new Set(ps.map((p) => p.spec.nodeName))).toEqual(new Set(['node-1', 'node-2']));
  }, 90_000);

  it('the NodePort answers on both node addresses, round-robin over both pods', async () => {
    const names = (await pods()).map((p) => p.metadata.name).sort();
    for (const ip of ['127.0.0.2', '127.0.0.3']) {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const r = await get(`http://${ip}:30080/`);
        expect(r.status).toBe(200);
        expect(r.body).toMatch(/^hello from \S+ \(127\.\d+\.\d+\.\d+\) version v1\n$/);
        seen.add(podOf(r.body)!);
      }
      expect([...seen].sort(), `pods answering on ${ip}`).toEqual(names);
    }
  }, 30_000);

  it('kubectl logs shows the listening line, and kubectl logs -f ends when its pod is deleted', async () => {
    const web = (await pods())[0];
    const logs = await kubectlOk(['logs', web.metadata.name]);
    expect(logs).toMatch(/listening on 127\.\d+\.\d+\.\d+:8080, version v1/);

    // A third pod, outside the Deployment, so that deleting it leaves the service alone.
    const extra = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-extra', labels: { app: 'web-extra' } },
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: 'web',
            image: 'node:20',
            command: ['node', '-e'],
            args: [
              "require('http').createServer((q, s) => s.end('extra\\n')).listen(8080, process.env.POD_IP, () => console.log(`listening on ${process.env.POD_IP}:8080`));",
            ],
            env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          },
        ],
      },
    };
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(extra) });
    await kubectlOk(['wait', '--for=condition=Ready', 'pod/web-extra', '--timeout=30s'], {
      timeoutMs: 40_000,
    });
    await eventually(
      'web-extra to log its listening line',
      async () => (await kubectlOk(['logs', 'web-extra'])).includes('listening on'),
      10_000,
    );

    const f = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'logs', '-f', 'web-extra'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    followers.push(f);
    let fout = '';
    let ferr = '';
    f.stdout!.on('data', (b: Buffer) => (fout += b.toString()));
    f.stderr!.on('data', (b: Buffer) => (ferr += b.toString()));
    const ended = new Promise<number | null>((r) => f.on('close', (code) => r(code)));
    await eventually(
      'kubectl logs -f to print the listening line',
      async () => fout.includes('listening on'),
      10_000,
      100,
    );

    await kubectlOk(['delete', 'pod', 'web-extra', '--wait=false']);
    const code = await Promise.race([ended, sleep(20_000).then(() => 'still running' as const)]);
    expect(code, `kubectl logs -f after its pod was deleted; stderr: ${ferr}`).toBe(0);
    await eventually(
      'web-extra to be gone',
      async () => (await pods('app=web-extra')).length === 0,
      15_000,
    );
  }, 90_000);

  it('a killed container process is restarted: restartCount rises and the pod is Ready again', async () => {
    const victim = (await pods()).find((p) => p.spec.nodeName === 'node-1')!;
    expect(victim).toBeDefined();
    const [rec] = containerRecords('node-1', victim.metadata.uid);
    expect(rec, 'a running container record').toBeDefined();
    expect(
      sameProcess(rec.pid, rec.startTicks),
      `pid ${rec.pid} is the recorded container process`,
    ).toBe(true);
    expect(fs.readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8')).toContain('listening on');
    const before = victim.status!.containerStatuses![0].restartCount;
    process.kill(rec.pid, 'SIGKILL');

    const after = await eventually(
      'the pod to restart and be Ready',
      async () => {
        const p = (await pods()).find((x) => x.metadata.uid === victim.metadata.uid);
        return p && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > before && isReady(p)
          ? p
          : undefined;
      },
      40_000,
      300,
    );
    expect(after.status!.containerStatuses![0].restartCount).toBe(before + 1);
    expect(after.status!.containerStatuses![0].ready).toBe(true);
    const r = await get('http://127.0.0.2:30080/');
    expect(r.status).toBe(200);
  }, 60_000);

  it('kubectl delete pod: the pod is gone within its grace period and a replacement becomes Ready', async () => {
    const before = await readyPods(2, 20_000);
    const victim = before.find((p) => p.spec.nodeName === 'node-2')!;
    expect(victim).toBeDefined();
    const t0 = Date.now();
    const out = await kubectlOk(['delete', 'pod', victim.metadata.name], { timeoutMs: 30_000 });
    expect(out).toContain(`pod "${victim.metadata.name}" deleted`);
    const gone = await eventually(
      'the deleted pod to be gone',
      async () =>
        (await pods()).some((p) => p.metadata.uid === victim.metadata.uid) ? undefined : Date.now(),
      10_000,
      100,
    );
    expect(gone - t0, 'gone within terminationGracePeriodSeconds (5 s) plus a little').toBeLessThan(
      7_000,
    );
    const now = await readyPods(2, 30_000, (ps) =>
      ps.some((p) => !before.some((b) => b.metadata.uid === p.metadata.uid)),
    );
    expect(
      new Set(now.map((p) => p.spec.nodeName)),
      'the replacement spreads to the emptier node',
    ).toEqual(new Set(['node-1', 'node-2']));
  }, 60_000);

  it('SIGKILL of node-2’s agent: the node goes NotReady, its pod is recreated on node-1, and the NodePort on node-1 keeps answering', async () => {
    const before = await readyPods(2, 20_000);
    const onNode2 = before.filter((p) => p.spec.nodeName === 'node-2');
    expect(onNode2.length).toBe(1);
    const agents = findDescendants(c.pid, ['agent --server', '--name node-2 ']);
    expect(agents, 'exactly one agent process for node-2').toHaveLength(1);
    orphans = containerRecords('node-2', onNode2[0].metadata.uid);

    const results: { at: number; ok: boolean; pod?: string; err?: string }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const at = Date.now();
        try {
          const r = await get('http://127.0.0.2:30080/', 1_000);
          results.push({
            at,
            ok: r.status === 200,
            pod: podOf(r.body),
            err: r.status === 200 ? undefined : `HTTP ${r.status}`,
          });
        } catch (err) {
          results.push({ at, ok: false, err: String(err) });
        }
        await sleep(Math.max(0, 500 - (Date.now() - at)));
      }
    })();

    try {
      const t0 = Date.now();
      process.kill(agents[0], 'SIGKILL');

      await eventually(
        'node-2 to be NotReady/Unknown',
        async () => {
          const out = await kubectlOk(['get', 'nodes', '--no-headers']);
          return /^node-2\s+NotReady\b/m.test(out) && /^node-1\s+Ready\b/m.test(out)
            ? out
            : undefined;
        },
        25_000,
        500,
      );
      const notReadyAfter = Date.now() - t0;

      const final = await eventually(
        'the pod of node-2 to be recreated on node-1',
        async () => {
          const live = (await pods()).filter((p) => !p.metadata.deletionTimestamp);
          return live.length === 2 && live.every((p) => p.spec.nodeName === 'node-1' && isReady(p))
            ? live
            : undefined;
        },
        40_000,
        500,
      );
      const movedAfter = Date.now() - t0;

      // A few more answers once the endpoints settled.
      await sleep(3_000);
      polling = false;
      await poller;

      const node1Pods = new Set(final.map((p) => p.metadata.name));
      const failures = results.filter((r) => !r.ok);
      // The longest stretch of consecutive failures.
      let worst = 0;
      for (let i = 0; i < results.length;) {
        if (results[i].ok) {
          i++;
          continue;
        }
        let j = i;
        while (j + 1 < results.length && !results[j + 1].ok) j++;
        worst = Math.max(worst, (results[j + 1]?.at ?? results[j].at) - results[i].at);
        i = j + 1;
      }
      const summary = `NotReady after ${notReadyAfter} ms, moved after ${movedAfter} ms; ${results.length} requests, ${failures.length} failed (worst stretch ${worst} ms): ${JSON.stringify(failures.slice(0, 5).map((f) => ({ t: f.at - t0, err: f.err })))}`;
      if (process.env.EP_DEBUG) console.info(summary);
      expect(worst, summary).toBeLessThanOrEqual(3_000);
      expect(failures.length, summary).toBeLessThanOrEqual(6);
      const last = results.filter((r) => r.at >= t0 + movedAfter + 1_000);
      expect(last.length, summary).toBeGreaterThanOrEqual(3);
      expect(
        last.every((r) => r.ok && r.pod && node1Pods.has(r.pod)),
        `${summary}; final answers: ${JSON.stringify(last.map((r) => r.pod ?? r.err))}`,
      ).toBe(true);
    } finally {
      polling = false;
      await poller;
    }
  }, 80_000);

  it('stopping the cluster (SIGTERM) also stops the containers that the SIGKILLed agent left running', async () => {
    expect(
      orphans.length,
      'container records of node-2 taken before its agent was killed',
    ).toBeGreaterThan(0);
    // Nobody stops them while the cluster runs: their agent is dead and their pod was deleted.
    expect(
      orphans.filter((o) => sameProcess(o.pid, o.startTicks)).map((o) => o.pid),
      'orphaned containers still running before the stop',
    ).toEqual(orphans.map((o) => o.pid));
    const code = await c.stop();
    expect(code, c.output()).toBe(0);
    expect(
      orphans.filter((o) => sameProcess(o.pid, o.startTicks)).map((o) => o.pid),
      'containers of the killed agent alive after the cluster stopped',
    ).toEqual([]);
  }, 60_000);
});
