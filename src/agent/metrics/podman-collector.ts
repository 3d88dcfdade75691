// Use of podman/docker containers from one `stats --no-stream` call per sample; the node's from /proc.
import type { ContainerUsage } from '../../api/metrics';
import type { Runtime } from '../runtime';
import type { Pod } from '../types';
import { runningContainers, type UsageCollector, type UsageSample } from './collector';
import { CpuRates } from './cpu-rate';
import { machineUsage } from './procfs';

export interface ContainerStats {
  stats(ids: string[]): Promise<Map<string, { cpuNs: number; memoryBytes: number }>>;
}

/** "podman://<id>" → "<id>". */
const bareId = (id: string) => id.slice(id.indexOf('://') + 3);

export class PodmanCollector implements UsageCollector {
  private readonly rates = new CpuRates();

  constructor(private readonly runtime: Runtime & ContainerStats) {}

  async sample(pods: Pod[], nowMs: number): Promise<UsageSample> {
    const byPod = pods.map((p) => ({
      uid: p.metadata.uid!,
      containers: runningContainers(this.runtime, p.metadata.uid!),
    }));
    const stats = await this.runtime.stats(
      byPod.flatMap((p) => p.containers.map((c) => bareId(c.id))),
    );
    const out = new Map<string, ContainerUsage[]>();
    for (const p of byPod) {
      const usage: ContainerUsage[] = [];
      let complete = p.containers.length > 0;
      for (const c of p.containers) {
        const s = stats.get(bareId(c.id));
        const cpu = s && this.rates.rate(c.id, s.cpuNs, nowMs);
        if (!s || cpu === undefined) {
          complete = false;
          continue;
        }
        usage.push({ name: c.name, cpu, memory: s.memoryBytes });
      }
      if (complete) out.set(p.uid, usage);
    }
    const machine = machineUsage();
    const nodeCpu = this.rates.rate('\0node', machine.cpuNs, nowMs);
    this.rates.sweep();
    return { node: { cpu: nodeCpu, memory: machine.memoryBytes }, pods: out };
  }
}
