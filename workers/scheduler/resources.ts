// Resource arithmetic: what a pod requests, what a node offers, in integer milli-CPU, bytes and counts.
// k8s: staging/src/k8s.io/component-helpers/resource/helpers.go (PodRequests), pkg/scheduler/framework/types.go (Resource)
import { parseQuantity } from '../../src/lib/quantity';
import type { Container, Node, Pod, ResourceList } from './types';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Node side only: status.allocatable.pods. */
  allowedPodNumber: number;
  /** Extended resources (example.com/gpu, hugepages-2Mi, ...), in their integer units. */
  scalar: Record<string, number>;
}

// k8s: pkg/scheduler/util/pod_resources.go: what scoring assumes for a container that states no request,
// so that many request-less pods are not all piled onto one node.
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: {} };
}

function amount(name: string, value: string): number {
  try {
    const q = parseQuantity(value);
    return name === 'cpu' ? q.milli() : q.value();
  } catch {
    // The API rejects malformed quantities; one that slips through counts as nothing rather than crashing a cycle.
    return 0;
  }
}

export function resourceFromList(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  for (const [name, value] of Object.entries(list ?? {})) {
    const n = amount(name, value);
    if (name === 'cpu') r.milliCPU = n;
    else if (name === 'memory') r.memory = n;
    else if (name === 'ephemeral-storage') r.ephemeralStorage = n;
    else if (name === 'pods') r.allowedPodNumber = n;
    else r.scalar[name] = n;
  }
  return r;
}

export function addResource(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.allowedPodNumber += r.allowedPodNumber;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + v;
}

export function subtractResource(from: Resource, r: Resource): void {
  from.milliCPU -= r.milliCPU;
  from.memory -= r.memory;
  from.ephemeralStorage -= r.ephemeralStorage;
  from.allowedPodNumber -= r.allowedPodNumber;
  for (const [k, v] of Object.entries(r.scalar)) from.scalar[k] = (from.scalar[k] ?? 0) - v;
}

function maxResource(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = Math.max(into.scalar[k] ?? 0, v);
}

function copy(r: Resource): Resource {
  return { ...r, scalar: { ...r.scalar } };
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  // The apiserver defaults a missing request to its limit; applied here too so a pod read before defaulting counts the same.
  const list: ResourceList = { ...c.resources?.limits, ...c.resources?.requests };
  const r = resourceFromList(list);
  r.allowedPodNumber = 0;
  if (nonZero) {
    if (list.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (list.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * What a pod needs while it runs: its app containers and sidecars together, or its largest init
 * step (each init container runs beside the sidecars started before it), whichever is larger, plus
 * the pod overhead. `nonZero` substitutes the scoring defaults for requests a container leaves unset.
 */
export function podRequests(pod: Pod, opts: { nonZero?: boolean } = {}): Resource {
  const nonZero = opts.nonZero ?? false;
  const reqs = emptyResource();
  for (const c of pod.spec.containers ?? []) addResource(reqs, containerRequests(c, nonZero));
  const sidecars = emptyResource();
  const initPeak = emptyResource();
  for (const c of pod.spec.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResource(reqs, own);
      addResource(sidecars, own);
      maxResource(initPeak, sidecars);
    } else {
      const step = copy(own);
      addResource(step, sidecars);
      maxResource(initPeak, step);
    }
  }
  maxResource(reqs, initPeak);
  if (pod.spec.overhead)
    addResource(reqs, { ...resourceFromList(pod.spec.overhead), allowedPodNumber: 0 });
  return reqs;
}

/** status.allocatable, or status.capacity when allocatable is unset (the apiserver's own default for NodeStatus). */
export function nodeAllocatable(node: Node): Resource {
  return resourceFromList(node.status?.allocatable ?? node.status?.capacity);
}
