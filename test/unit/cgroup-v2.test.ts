// Process-runtime limits through cgroup v2, against a temp-dir stand-in for /sys/fs/cgroup (this test
// box is cgroup v1, so the real kernel interface is not exercised here): detection, memory.max and
// cpu.max from the container's limits, the process moved into cgroup.procs, OOM kills read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CgroupV2, cpuMax, limitsOf } from '../../src/agent/runtimes/cgroup-v2';
import { ProcessRuntime } from '../../src/agent/runtimes/process';
import type { Pod } from '../../src/agent/types';

const dirs: string[] = [];
const runtimes: ProcessRuntime[] = [];
const temp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-cgroup-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const r of runtimes) await r.close({ stopContainers: true });
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A cgroup v2 root as the kernel shows it to root: controllers listed, subtree_control writable. */
function fakeV2(controllers = 'cpuset cpu io memory hugetlb pids rdma misc'): string {
  const root = temp();
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), `${controllers}\n`);
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), '');
  return root;
}

const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

describe('cgroup v2 limits', () => {
  it('turns limits into memory.max and cpu.max as kubelet (MilliCPUToQuota, 100 ms period)', () => {
    expect(cpuMax(500)).toBe('50000 100000');
    expect(cpuMax(2000)).toBe('200000 100000');
    expect(cpuMax(1)).toBe('1000 100000');
    expect(cpuMax(undefined)).toBe('max 100000');
    expect(limitsOf({ name: 'a', resources: { limits: { cpu: '250m', memory: '64Mi' } } })).toEqual(
      { cpuMilli: 250, memoryBytes: 64 * 2 ** 20 },
    );
    expect(limitsOf({ name: 'a', resources: { requests: { cpu: '1' } } })).toBeUndefined();
  });

  it('finds no cgroup v2 on a v1 host or without the controllers', () => {
    expect(CgroupV2.open(temp()).why).toMatch(/not a cgroup v2 hierarchy/);
    expect(CgroupV2.open(fakeV2('cpuset io pids')).why).toMatch(/cpu, memory are not available/);
    const { cgroups } = CgroupV2.open(fakeV2());
    expect(cgroups).toBeDefined();
  });

  it('runs a process-runtime container with limits in a cgroup of its own, and reads OOM kills', async () => {
    const root = fakeV2();
    const rt = new ProcessRuntime({ stateDir: temp(), log: () => undefined, cgroupRoot: root });
    runtimes.push(rt);
    expect(read(root, 'cgroup.subtree_control')).toBe('+cpu +memory');
    expect(read(root, 'edgeplane', 'cgroup.subtree_control')).toBe('+cpu +memory');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'limited', namespace: 'default', uid: 'cg-1' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'x',
            resources: { limits: { cpu: '250m', memory: '64Mi' } },
          },
        ],
      },
    } as Pod;
    expect(rt.unsupported(pod)).toEqual([]);
    const inst = await rt.start({
      pod,
      container: pod.spec.containers[0],
      init: false,
      attempt: 0,
      podIP: '127.0.0.1',
      env: [],
      argv: ['sleep', '30'],
    });
    const dir = path.join(root, 'edgeplane', 'cg-1_app_0');
    expect(read(dir, 'memory.max')).toBe(String(64 * 2 ** 20));
    expect(read(dir, 'cpu.max')).toBe('25000 100000');
    expect(read(dir, 'cgroup.procs')).toBe(String(rt.processGroup(inst.id)));
    const { cgroups } = CgroupV2.open(root);
    expect(cgroups!.oomKilled(dir)).toBe(false);
    fs.writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    expect(cgroups!.oomKilled(dir)).toBe(true);
  });

  it('keeps the Warning where limits cannot be enforced, and says why in the log', () => {
    const said: string[] = [];
    const rt = new ProcessRuntime({
      stateDir: temp(),
      log: (m) => said.push(m),
      cgroupRoot: temp(),
    });
    runtimes.push(rt);
    const pod = {
      metadata: { name: 'p', namespace: 'default', uid: 'cg-2' },
      spec: { containers: [{ name: 'main', resources: { limits: { memory: '1Gi' } } }] },
    } as Pod;
    expect(rt.unsupported(pod)).toEqual([
      'container main: resource limits are not enforced by the process runtime',
    ]);
    expect(said.join('\n')).toMatch(/limits are not enforced: .* not a cgroup v2 hierarchy/);
  });
});
