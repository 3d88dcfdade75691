// `kubectl exec` into a process-runtime container runs in a process group of its own; what it uses is
// the container's (kubelet's exec joins the container's cgroup), so kubectl top and the HPA see it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessCollector } from '../../src/agent/metrics/process-collector';
import { ProcessRuntime } from '../../src/agent/runtimes/process';
import type { Pod } from '../../src/agent/types';

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-exec-usage-'));
const rt = new ProcessRuntime({ stateDir, log: () => undefined });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await rt.close({ stopContainers: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'idle', namespace: 'default', uid: 'exec-usage-1' },
  spec: { containers: [{ name: 'app', image: 'x', command: ['sleep', '60'] }] },
} as Pod;

describe('process runtime exec accounting', () => {
  it('counts a busy loop run with kubectl exec as the container’s CPU, and stops counting when it ends', async () => {
    const inst = await rt.start({
      pod,
      container: pod.spec.containers[0],
      init: false,
      attempt: 0,
      podIP: '127.0.0.1',
      env: [],
      argv: ['sleep', '60'],
    });
    expect(inst.state).toBe('running');
    const collector = new ProcessCollector(rt);
    const exec = await rt.execStream('exec-usage-1', {
      container: 'app',
      command: ['sh', '-c', 'while :; do :; done'],
      stdin: false,
      tty: false,
    });
    expect(rt.execGroups(inst.id)).toHaveLength(1);
    await collector.sample([pod], Date.now());
    await sleep(2000);
    const busy = await collector.sample([pod], Date.now());
    const cpu = busy.pods.get('exec-usage-1')![0].cpu / 1e9;
    // About one core on a quiet machine; the shared 2-core test box under load gave it 0.1; without the exec counted it is 0.
    expect(cpu).toBeGreaterThan(0.05);
    expect(cpu).toBeLessThan(1.1);
    exec.close();
    await exec.ended;
    await sleep(50);
    expect(rt.execGroups(inst.id)).toEqual([]);
    await sleep(1500);
    const after = await collector.sample([pod], Date.now());
    expect(after.pods.get('exec-usage-1')![0].cpu / 1e9).toBeLessThan(0.02);
  }, 20_000);
});
