// Use of process-runtime containers: each container is a process group, with the groups of commands
// exec'd into it; their CPU time and RSS come from /proc.
import type { ContainerUsage } from '../../api/metrics';
import type { Runtime } from '../runtime';
import type { Pod } from '../types';
import { runningContainers, type UsageCollector, type UsageSample } from './collector';
import { CpuRates } from './cpu-rate';
import { machineUsage, scanProcesses, type ProcessUsage } from './procfs';

export interface ProcessGroups {
  /** The process group a container instance runs in, while it runs. */
  processGroup(id: string): number | undefined;
  /** Groups of commands exec'd into it (kubectl exec, exec probes), while they run. */
  execGroups?(id: string): number[];
}

/**
 * A container's CPU counter is the CPU time of its live processes plus the last-seen time of those
 * that exited since (so a shell's finished children are not subtracted from its total).
 */
class GroupCounters {
  private pids = new Map<string, Map<number, number>>();
  private carried = new Map<string, number>();

  cumulative(id: string, procs: ProcessUsage[]): number {
    const before = this.pids.get(id) ?? new Map<number, number>();
    const now = new Map(procs.map((p) => [p.pid, p.cpuNs]));
    let carry = this.carried.get(id) ?? 0;
    for (const [pid, ns] of before) if (!now.has(pid)) carry += ns;
    this.pids.set(id, now);
    this.carried.set(id, carry);
    return carry + procs.reduce((a, p) => a + p.cpuNs, 0);
  }

  retain(ids: Set<string>): void {
    for (const id of this.pids.keys())
      if (!ids.has(id)) {
        this.pids.delete(id);
        this.carried.delete(id);
      }
  }
}

export class ProcessCollector implements UsageCollector {
  private readonly rates = new CpuRates();
  private readonly counters = new GroupCounters();

  constructor(private readonly runtime: Runtime & ProcessGroups) {}

  async sample(pods: Pod[], nowMs: number): Promise<UsageSample> {
    const byGroup = new Map<number, ProcessUsage[]>();
    for (const p of scanProcesses()) {
      const list = byGroup.get(p.pgid);
      if (list) list.push(p);
      else byGroup.set(p.pgid, [p]);
    }
    const machine = machineUsage();
    const out = new Map<string, ContainerUsage[]>();
    const unrated = new Map<string, ContainerUsage[]>();
    const live = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata.uid!;
      const containers: ContainerUsage[] = [];
      let complete = true;
      for (const inst of runningContainers(this.runtime, uid)) {
        const pgid = this.runtime.processGroup(inst.id);
        if (pgid === undefined) continue;
        live.add(inst.id);
        // What runs in exec'd groups is the container's too (kubelet's exec joins its cgroup).
        const procs = [pgid, ...(this.runtime.execGroups?.(inst.id) ?? [])].flatMap(
          (g) => byGroup.get(g) ?? [],
        );
        const cpu = this.rates.rate(inst.id, this.counters.cumulative(inst.id, procs), nowMs);
        if (cpu === undefined) complete = false;
        containers.push({
          name: inst.name,
          cpu: cpu ?? 0,
          memory: procs.reduce((a, p) => a + p.rssBytes, 0),
        });
      }
      // As metrics-server, a pod is reported only once every container has a rate.
      if (complete && containers.length > 0) out.set(uid, containers);
      else if (containers.length > 0) unrated.set(uid, containers);
    }
    const nodeCpu = this.rates.rate('\0node', machine.cpuNs, nowMs);
    this.rates.sweep();
    this.counters.retain(live);
    return { node: { cpu: nodeCpu, memory: machine.memoryBytes }, pods: out, unrated };
  }
}
