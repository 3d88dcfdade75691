// Resource limits for process-runtime containers: a cgroup v2 of its own per container instance, with
// memory.max and cpu.max from the container's limits, where the agent may create cgroups (root on a
// cgroup v2 host). Elsewhere the runtime says in a Warning event that limits are not enforced.
// k8s: pkg/kubelet/cm/cgroup_manager_linux.go, helpers_linux.go (MilliCPUToQuota, QuotaPeriod).
import fs from 'node:fs';
import path from 'node:path';
import { parseQuantity } from '../../lib/quantity';
import type { Container } from '../types';

/** k8s QuotaPeriod (100 ms) and MinQuotaPeriod (1 ms), in microseconds. */
const QUOTA_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;

export interface CgroupLimits {
  memoryBytes?: number;
  cpuMilli?: number;
}

/** The limits a container asks for; undefined when it sets neither cpu nor memory limits. */
export function limitsOf(c: Container): CgroupLimits | undefined {
  const lim = c.resources?.limits ?? {};
  const read = (v: string | undefined, scale: (q: ReturnType<typeof parseQuantity>) => number) => {
    if (v === undefined) return undefined;
    try {
      return scale(parseQuantity(v));
    } catch {
      return undefined;
    }
  };
  const out: CgroupLimits = {
    memoryBytes: read(lim.memory, (q) => q.value()),
    cpuMilli: read(lim.cpu, (q) => q.scaledValue(-3)),
  };
  return out.memoryBytes === undefined && out.cpuMilli === undefined ? undefined : out;
}

/** k8s MilliCPUToQuota: quota = milli × period / 1000, at least 1 ms; cpu.max is "QUOTA PERIOD". */
export function cpuMax(milli: number | undefined): string {
  if (milli === undefined || milli <= 0) return `max ${QUOTA_PERIOD_US}`;
  return `${Math.max(MIN_QUOTA_US, Math.floor((milli * QUOTA_PERIOD_US) / 1000))} ${QUOTA_PERIOD_US}`;
}

export class CgroupV2 {
  private constructor(readonly dir: string) {}

  /**
   * The agent's cgroup parent under `root`, with the cpu and memory controllers enabled for its
   * children; or why there is none (not a cgroup v2 host, controllers missing, not allowed).
   */
  static open(
    root = '/sys/fs/cgroup',
    name = 'edgeplane',
  ): { cgroups: CgroupV2; why?: undefined } | { cgroups?: undefined; why: string } {
    let controllers: string[];
    try {
      controllers = fs
        .readFileSync(path.join(root, 'cgroup.controllers'), 'utf8')
        .trim()
        .split(/\s+/);
    } catch {
      return { why: `${root} is not a cgroup v2 hierarchy (this host uses cgroup v1 or none)` };
    }
    const missing = ['cpu', 'memory'].filter((c) => !controllers.includes(c));
    if (missing.length)
      return {
        why: `the cgroup v2 controllers ${missing.join(', ')} are not available in ${root}`,
      };
    const dir = path.join(root, name);
    try {
      fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), '+cpu +memory');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), '+cpu +memory');
    } catch (err) {
      return {
        why: `the agent may not create cgroups under ${root} (${(err as NodeJS.ErrnoException).code ?? String(err)}); run it as root`,
      };
    }
    return { cgroups: new CgroupV2(dir) };
  }

  /** A cgroup for one container instance with its limits; its path. */
  create(key: string, limits: CgroupLimits): string {
    const dir = path.join(this.dir, key.replace(/[^A-Za-z0-9_.-]/g, '_'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'memory.max'),
      limits.memoryBytes !== undefined ? String(limits.memoryBytes) : 'max',
    );
    fs.writeFileSync(path.join(dir, 'cpu.max'), cpuMax(limits.cpuMilli));
    return dir;
  }

  /** Moves a process (and so what it starts from now on) into the cgroup. */
  addProcess(dir: string, pid: number): void {
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
  }

  /** Whether the kernel's OOM killer killed a process of the cgroup (memory.events oom_kill). */
  oomKilled(dir: string): boolean {
    try {
      const events = fs.readFileSync(path.join(dir, 'memory.events'), 'utf8');
      return Number(/^oom_kill (\d+)/m.exec(events)?.[1] ?? 0) > 0;
    } catch {
      return false;
    }
  }

  /** Removes an empty cgroup (its processes are gone); one still in use is left. */
  remove(dir: string): void {
    try {
      fs.rmdirSync(dir);
    } catch {
      // not empty yet, or already gone
    }
  }
}
