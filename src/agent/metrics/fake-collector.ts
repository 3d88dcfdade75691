// Synthetic use on simulated nodes, steered per pod so autoscaling can be tested and benchmarked.
//
//   edgeplane.dev/fake-cpu: "800m"      each running container of the pod uses this much CPU
//   edgeplane.dev/fake-memory: "64Mi"   and this much memory
//
// Without them a container uses the agent's --fake-load default. The node's use is a fixed system
// share plus its pods'. Annotations are read from the pod as the agent last saw it, so
// `kubectl annotate pod ... --overwrite` changes the load from the next report on.
import type { ContainerUsage } from '../../api/metrics';
import { parseQuantity } from '../../lib/quantity';
import type { Runtime } from '../runtime';
import type { Pod } from '../types';
import { runningContainers, type UsageCollector, type UsageSample } from './collector';

export const FAKE_CPU_ANNOTATION = 'edgeplane.dev/fake-cpu';
export const FAKE_MEMORY_ANNOTATION = 'edgeplane.dev/fake-memory';

export interface FakeLoad {
  /** Nanocores per container. */
  cpu: number;
  /** Bytes per container. */
  memory: number;
}

/** A container's default synthetic use, and the simulated system's own share of each node. */
export const DEFAULT_FAKE_LOAD: FakeLoad = { cpu: 1e6, memory: 4 * 2 ** 20 };
const NODE_SYSTEM: FakeLoad = { cpu: 50e6, memory: 256 * 2 ** 20 };

/** "cpu=250m,memory=64Mi" (either part may be left out). */
export function parseFakeLoad(s: string, base: FakeLoad = DEFAULT_FAKE_LOAD): FakeLoad {
  const out = { ...base };
  for (const part of s.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (k === 'cpu') out.cpu = nanocores(v);
    else if (k === 'memory') out.memory = bytes(v);
    else throw new Error(`--fake-load: unknown resource ${JSON.stringify(k)} (cpu or memory)`);
  }
  return out;
}

function nanocores(v: string | undefined): number {
  return Math.round(parseQuantity(v ?? '').scaledValue(-9));
}

function bytes(v: string | undefined): number {
  return Math.round(parseQuantity(v ?? '').value());
}

function podLoad(pod: Pod, base: FakeLoad): FakeLoad {
  const a = pod.metadata.annotations ?? {};
  const read = (key: string, parse: (v: string) => number, fallback: number) => {
    try {
      return a[key] !== undefined ? parse(a[key]) : fallback;
    } catch {
      return fallback; // a bad annotation is the default, not a failed report
    }
  };
  return {
    cpu: read(FAKE_CPU_ANNOTATION, nanocores, base.cpu),
    memory: read(FAKE_MEMORY_ANNOTATION, bytes, base.memory),
  };
}

export class FakeCollector implements UsageCollector {
  constructor(
    private readonly runtime: Runtime,
    private readonly base: FakeLoad = DEFAULT_FAKE_LOAD,
  ) {}

  async sample(pods: Pod[]): Promise<UsageSample> {
    const out = new Map<string, ContainerUsage[]>();
    let cpu = NODE_SYSTEM.cpu;
    let memory = NODE_SYSTEM.memory;
    for (const pod of pods) {
      const load = podLoad(pod, this.base);
      const containers = runningContainers(this.runtime, pod.metadata.uid!).map((c) => ({
        name: c.name,
        cpu: load.cpu,
        memory: load.memory,
      }));
      if (containers.length === 0) continue;
      out.set(pod.metadata.uid!, containers);
      cpu += load.cpu * containers.length;
      memory += load.memory * containers.length;
    }
    return { node: { cpu, memory }, pods: out };
  }
}
