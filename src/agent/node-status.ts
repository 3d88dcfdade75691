// What the agent says about its Node: default labels, capacity, addresses, conditions and node info (pure).
// k8s: pkg/kubelet/nodestatus/setters.go (capacity, addresses, conditions, nodeInfo),
// pkg/kubelet/kubelet_node_status.go updateDefaultLabels.
import { formatBytes, parseQuantity } from '../lib/quantity';
import type { MachineFacts } from './machine';
import { sameStatus } from './pod-status';
import { rfc3339, type Node, type NodeCondition } from './types';

export const KUBELET_VERSION = 'v1.32.4-edgeplane';
export const MAX_PODS = 110;

export interface NodeIdentity {
  name: string;
  /** InternalIP: where this node's pods and NodePorts are reached. */
  address: string;
  /** The podCIDR to claim when the Node has none yet. */
  podCidr?: string;
  labels: Record<string, string>;
  /** Set on the Node at registration (the local-path volume folder). */
  annotations?: Record<string, string>;
  /** Quantities from flags; default the machine's. */
  cpu?: string;
  memory?: string;
  runtimeVersion: string;
}

export function defaultLabels(id: NodeIdentity, facts: MachineFacts): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': facts.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': facts.architecture,
    'kubernetes.io/hostname': id.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'edgeplane',
  };
}

function capacity(id: NodeIdentity, facts: MachineFacts): Record<string, string> {
  const c: Record<string, string> = {
    cpu: id.cpu ?? String(facts.cpus),
    memory: id.memory ?? `${Math.floor(facts.memoryBytes / 1024)}Ki`,
    pods: String(MAX_PODS),
  };
  if (facts.ephemeralStorageBytes)
    c['ephemeral-storage'] = formatBytes(facts.ephemeralStorageBytes);
  return c;
}

/** What the eviction manager sees; every pressure is False without one. */
export interface NodePressure {
  memory: boolean;
}

// k8s: nodestatus.MemoryPressureCondition.
const MEMORY_PRESSURE: [string, 'True' | 'False', string, string] = [
  'MemoryPressure',
  'True',
  'KubeletHasInsufficientMemory',
  'kubelet has insufficient memory available',
];

const CONDITIONS: [string, 'True' | 'False', string, string][] = [
  [
    'MemoryPressure',
    'False',
    'KubeletHasSufficientMemory',
    'kubelet has sufficient memory available',
  ],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/** The status this agent reports; transition times carry over from `old` while a condition holds. */
export function nodeStatus(
  id: NodeIdentity,
  facts: MachineFacts,
  old: Node['status'] | undefined,
  now = Date.now(),
  pressure: NodePressure = { memory: false },
): NonNullable<Node['status']> {
  const stamp = rfc3339(now);
  const table = CONDITIONS.map((c) =>
    c[0] === 'MemoryPressure' && pressure.memory ? MEMORY_PRESSURE : c,
  );
  const conditions: NodeCondition[] = table.map(([type, status, reason, message]) => {
    const before = old?.conditions?.find((c) => c.type === type);
    const since =
      before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : stamp;
    return { type, status, lastHeartbeatTime: stamp, lastTransitionTime: since, reason, message };
  });
  const cap = capacity(id, facts);
  return {
    ...(old ?? {}),
    capacity: cap,
    allocatable: { ...cap },
    conditions,
    addresses: [
      { type: 'InternalIP', address: id.address },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: facts.machineID,
      systemUUID: facts.systemUUID,
      bootID: facts.bootID,
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: id.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: facts.architecture,
    },
    images: [],
  };
}

// "2000m" and "2" are the same capacity, however the server chose to write it.
function sameQuantities(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b ?? {}).sort();
  if (ka.join() !== kb.join()) return false;
  try {
    return ka.every((k) => parseQuantity(a![k]).cmp(parseQuantity(b![k])) === 0);
  } catch {
    return false;
  }
}

/** Is what the API holds what this agent would say, give or take heartbeats? If not, report at once. */
export function statusDrifted(
  node: Node,
  id: NodeIdentity,
  facts: MachineFacts,
  pressure?: NodePressure,
): boolean {
  const want = nodeStatus(id, facts, node.status, Date.now(), pressure);
  const have = node.status ?? {};
  const conds = (s: Node['status']) =>
    (s?.conditions ?? [])
      .map((c) => `${c.type}=${c.status}/${c.reason}`)
      .sort()
      .join(',');
  return (
    conds(have) !== conds(want) ||
    !sameQuantities(have.capacity, want.capacity) ||
    !sameStatus(have.addresses, want.addresses) ||
    !sameStatus(have.nodeInfo, want.nodeInfo)
  );
}
