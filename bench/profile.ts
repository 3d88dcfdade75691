// `npm run bench -- profile [--kind pods|configmaps] [--count 300] [--parallel 1] [--nodes 0]`:
// where the control plane's CPU goes. Starts the three Workers as `edgeplane dev` does, with
// workerd's V8 inspector open, profiles every Worker isolate (the API Worker's isolate also runs
// its Durable Objects: shards, watch hubs) while one or more clients create objects, and prints
// each isolate's CPU by function (self time) and by source file. `--out DIR` also writes the raw
// .cpuprofile files, which Chrome DevTools opens.
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import wsModule from 'ws';
import { startRuntime, type Runtime } from '../src/cli/runtime';
import { StateDir } from '../src/cli/state';
import { send, type Target } from './http';
import { table } from './table';
import { serialBody, workerdCpuSeconds } from './control';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

// `ws` (a dependency of miniflare) ships no types here; this is the part used.
interface Socket {
  on(event: 'message', cb: (data: unknown) => void): void;
  once(event: 'open' | 'error', cb: (e?: unknown) => void): void;
  send(data: string): void;
  close(): void;
}
const WebSocket = wsModule as unknown as new (url: string) => Socket;

/** A Chrome DevTools Protocol session with one isolate. */
class Inspector {
  private next = 1;
  private readonly waiting = new Map<number, (r: unknown) => void>();
  private constructor(private readonly ws: Socket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg.result);
    });
  }
  static open(url: string): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new Inspector(ws)));
      ws.once('error', reject);
    });
  }
  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (r: unknown) => void);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
  close(): void {
    this.ws.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Self time per function and per file, in ms, from one profile. */
function summarize(p: CpuProfile) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') {
      if (name === '(idle)') idle += t;
      continue;
    }
    total += t;
    const where = n.callFrame.url.split('/').pop() ?? '';
    const key = `${name} ${where}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + t);
    file.set(where || '(native)', (file.get(where || '(native)') ?? 0) + t);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
  return { total, idle, fns: top(fn, 30), files: top(file, 12) };
}

async function loopRequests(runtime: Runtime): Promise<{ scheduler: number; controllers: number }> {
  const [s, c] = await Promise.all([
    runtime.loopStatus('scheduler').catch(() => ({ requests: 0 })),
    runtime.loopStatus('controllers').catch(() => ({ requests: 0 })),
  ]);
  return { scheduler: s.requests, controllers: c.requests };
}

export async function profileBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kind: { type: 'string', default: 'pods' },
      count: { type: 'string', default: '300' },
      parallel: { type: 'string', default: '1' },
      out: { type: 'string', default: '' },
      // Which isolates to profile (a substring of the inspector target's title; 'none' profiles
      // none). V8's sampler attributes time per thread, and workerd runs every isolate on one
      // thread, so profiling several at once mixes their samples: profile one per run.
      isolate: { type: 'string', default: 'edgeplane-api' },
    },
  });
  const kind = values.kind!;
  const count = Number(values.count);
  const parallel = Number(values.parallel);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-profile-'));
  const state = new StateDir(dir);
  state.cluster(4);
  const token = state.adminToken();
  const tls = state.tls();
  const inspectorPort = await freePort();
  const runtime = await startRuntime({
    host: '127.0.0.1',
    port: 0,
    stateDir: dir,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    inspectorPort,
    vars: { ADMIN_TOKEN: token, PARTITIONS: '4', SERVICE_CIDR: '127.96.0.0/16' },
    schedulerVars: {},
    controllerVars: {},
  });
  const target: Target = {
    base: `https://127.0.0.1:${runtime.url.port}`,
    agent: new https.Agent({ ca: tls.certPem, keepAlive: true, maxSockets: 64 }),
    headers: { authorization: `Bearer ${token}` },
  };
  const sessions: { name: string; ins: Inspector }[] = [];
  try {
    const ns = 'profile';
    await send(
      target,
      'POST',
      '/api/v1/namespaces',
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
    );
    const body = (name: string) =>
      serialBody(kind === 'pods' ? 'Pod' : 'ConfigMap', name, 'profile');
    const route = `/api/v1/namespaces/${ns}/${kind}`;
    for (let i = 0; i < 20; i++) await send(target, 'POST', route, body(`warm-${i}`));
    await new Promise((r) => setTimeout(r, 2000));

    const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
      title?: string;
      id: string;
      webSocketDebuggerUrl?: string;
    }[];
    for (const t of list) {
      if (!(t.title ?? '').includes(values.isolate!)) continue;
      const url = t.webSocketDebuggerUrl ?? `ws://127.0.0.1:${inspectorPort}/${t.id}`;
      const ins = await Inspector.open(url);
      await ins.call('Profiler.enable');
      await ins.call('Profiler.setSamplingInterval', { interval: 200 });
      await ins.call('Profiler.start');
      sessions.push({ name: t.title ?? t.id, ins });
    }
    const loops0 = await loopRequests(runtime);
    const cpu0 = workerdCpuSeconds();
    const t0 = performance.now();
    let next = 0;
    const lat: number[] = [];
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < count) {
          const i = next++;
          const t = performance.now();
          const res = await send(target, 'POST', route, body(`p-${i}`));
          lat.push(performance.now() - t);
          if (res.status !== 201) throw new Error(`POST ${route}: ${res.status} ${res.body}`);
        }
      }),
    );
    const wall = performance.now() - t0;
    // Let the loops finish what the creates woke.
    await new Promise((r) => setTimeout(r, 3000));
    const cpu = workerdCpuSeconds() - cpu0;
    const loops1 = await loopRequests(runtime);
    lat.sort((a, b) => a - b);
    console.log(
      `${count} ${kind} created by ${parallel} client(s) in ${(wall / 1000).toFixed(2)} s: ` +
        `${((count * 1000) / wall).toFixed(0)}/s, p50 ${lat[Math.floor(lat.length / 2)].toFixed(1)} ms; ` +
        `load average ${os.loadavg()[0].toFixed(2)}; workerd CPU ${((cpu * 1000) / count).toFixed(2)} ms per create ` +
        `(utime+stime, all isolates, until 3 s after the last create); API requests per create: ` +
        `scheduler ${((loops1.scheduler - loops0.scheduler) / count).toFixed(2)}, ` +
        `controllers ${((loops1.controllers - loops0.controllers) / count).toFixed(2)}`,
    );
    for (const { name, ins } of sessions) {
      const { profile } = await ins.call<{ profile: CpuProfile }>('Profiler.stop');
      if (values.out) {
        fs.mkdirSync(values.out, { recursive: true });
        fs.writeFileSync(
          path.join(values.out, `${name.replace(/[^\w.-]+/g, '_')}.cpuprofile`),
          JSON.stringify(profile),
        );
      }
      const s = summarize(profile);
      console.log(
        `\n${name}: ${s.total.toFixed(0)} ms of CPU (${(s.total / count).toFixed(2)} ms per create)`,
      );
      console.log(
        table(
          ['file', 'self ms', 'per create'],
          s.files.map(([k, v]) => [k, v.toFixed(0), (v / count).toFixed(3)]),
        ),
      );
      console.log(
        table(
          ['function', 'self ms', 'per create'],
          s.fns.map(([k, v]) => [k, v.toFixed(0), (v / count).toFixed(3)]),
        ),
      );
    }
  } finally {
    for (const s of sessions) s.ins.close();
    target.agent.destroy();
    await runtime.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
