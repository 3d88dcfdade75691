// The agent's usage collectors: CPU rates from counters, /proc figures for a process group (a busy
// loop is about one core, a 200 MiB allocation about 200 MiB), and synthetic load on simulated nodes.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuRates } from '../../src/agent/metrics/cpu-rate';
import { FakeCollector, parseFakeLoad } from '../../src/agent/metrics/fake-collector';
import { ProcessCollector } from '../../src/agent/metrics/process-collector';
import { FakeRuntime } from '../../src/agent/runtimes/fake';
import type { ContainerInstance, Runtime } from '../../src/agent/runtime';
import type { Pod } from '../../src/agent/types';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function pod(uid: string, annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: uid, namespace: 'default', uid, annotations },
    spec: { containers: [{ name: 'app', image: 'x' }] },
  } as Pod;
}

function groupOf(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

/** A runtime that knows one running container per pod, led by the given process. */
function processRuntime(groups: Record<string, number>): Runtime & {
  processGroup(id: string): number | undefined;
} {
  const inst = (uid: string): ContainerInstance => ({
    id: `process://${uid}`,
    name: 'app',
    init: false,
    attempt: 0,
    state: 'running',
    startedAt: Date.now(),
    image: 'x',
    imageID: 'x',
  });
  return {
    containers: (uid: string) => (groups[uid] ? [inst(uid)] : []),
    processGroup: (id: string) => groups[id.slice('process://'.length)],
  } as unknown as Runtime & { processGroup(id: string): number | undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CpuRates', () => {
  it('turns cumulative nanoseconds into nanocores and has no rate on a first or reset sample', () => {
    const r = new CpuRates();
    expect(r.rate('a', 5e9, 1000)).toBeUndefined();
    expect(r.rate('a', 5e9 + 0.5e9, 2000)).toBe(0.5e9);
    expect(r.rate('a', 1e9, 3000)).toBeUndefined();
    r.sweep();
    r.sweep();
    expect(r.rate('a', 2e9, 4000)).toBeUndefined();
  });
});

describe('ProcessCollector', () => {
  it('reports a busy loop at about one core and a 200 MiB allocation at about 200 MiB', async () => {
    const busy = groupOf('sh', ['-c', 'while :; do :; done']);
    const alloc = groupOf(process.execPath, [
      '-e',
      'globalThis.b = Buffer.alloc(200 * 2 ** 20, 1); setInterval(() => {}, 1000)',
    ]);
    const rt = processRuntime({ busy: busy.pid!, alloc: alloc.pid! });
    const collector = new ProcessCollector(rt);
    const pods = [pod('busy'), pod('alloc')];
    await sleep(1500);
    const first = await collector.sample(pods, Date.now());
    expect(first.pods.size).toBe(0); // no rate yet: two samples are needed
    expect(first.node.memory).toBeGreaterThan(0);
    await sleep(2000);
    const s = await collector.sample(pods, Date.now());
    const busyCpu = s.pods.get('busy')![0].cpu / 1e9;
    // About one core on a quiet machine; the shared 2-core test machine may give it less, never more.
    expect(busyCpu).toBeGreaterThan(0.15);
    expect(busyCpu).toBeLessThan(1.1);
    const mem = s.pods.get('alloc')![0].memory / 2 ** 20;
    expect(mem).toBeGreaterThan(195);
    expect(mem).toBeLessThan(300);
    expect(s.pods.get('alloc')![0].cpu / 1e9).toBeLessThan(busyCpu / 3);
    expect(s.node.cpu! / 1e9).toBeGreaterThanOrEqual(busyCpu * 0.9);
  }, 20_000);
});

describe('FakeCollector', () => {
  it('uses the pod annotations per running container, else the default, and sums them on the node', async () => {
    const rt = new FakeRuntime();
    const pods = [
      pod('a', { 'edgeplane.dev/fake-cpu': '800m', 'edgeplane.dev/fake-memory': '64Mi' }),
      pod('b'),
    ];
    for (const p of pods)
      await rt.start({
        pod: p,
        container: p.spec!.containers[0],
        init: false,
        attempt: 0,
        podIP: '127.0.0.9',
        env: [],
        argv: [],
      });
    const c = new FakeCollector(rt, parseFakeLoad('cpu=20m'));
    const s = await c.sample(pods);
    expect(s.pods.get('a')).toEqual([{ name: 'app', cpu: 800e6, memory: 64 * 2 ** 20 }]);
    expect(s.pods.get('b')).toEqual([{ name: 'app', cpu: 20e6, memory: 4 * 2 ** 20 }]);
    expect(s.node.cpu).toBe(50e6 + 800e6 + 20e6);
    expect(() => parseFakeLoad('gpu=1')).toThrow(/unknown resource/);
  });
});
