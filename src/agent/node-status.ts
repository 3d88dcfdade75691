// The Node object: registration (create, or reconcile an existing one), then status reports.
// k8s: pkg/kubelet/kubelet_node_status.go (registerWithAPIServer, updateDefaultLabels, tryUpdateNodeStatus),
// pkg/kubelet/nodestatus/setters.go (capacity, addresses, conditions, nodeInfo).
import type { KubeClient } from '../client/client';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors';
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
  if (facts.ephemeralStorageBytes) c['ephemeral-storage'] = formatBytes(facts.ephemeralStorageBytes);
  return c;
}

const CONDITIONS: [string, 'True' | 'False', string, string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/** The status this agent reports; transition times carry over from `old` while a condition holds. */
export function nodeStatus(id: NodeIdentity, facts: MachineFacts, old: Node['status'] | undefined, now = Date.now()): NonNullable<Node['status']> {
  const stamp = rfc3339(now);
  const conditions: NodeCondition[] = CONDITIONS.map(([type, status, reason, message]) => {
    const before = old?.conditions?.find((c) => c.type === type);
    const since = before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : stamp;
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
function sameQuantities(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
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
export function statusDrifted(node: Node, id: NodeIdentity, facts: MachineFacts): boolean {
  const want = nodeStatus(id, facts, node.status);
  const have = node.status ?? {};
  const conds = (s: Node['status']) => (s?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).sort().join(',');
  return (
    conds(have) !== conds(want) ||
    !sameQuantities(have.capacity, want.capacity) ||
    !sameStatus(have.addresses, want.addresses) ||
    !sameStatus(have.nodeInfo, want.nodeInfo)
  );
}

/**
 * Creates the Node, or takes over an existing one: its default labels are set again, its podCIDR
 * is kept when it has one (the pods already hold addresses from it) and claimed when it has none.
 */
export async function registerNode(client: KubeClient, id: NodeIdentity, facts: MachineFacts): Promise<Node> {
  const labels = { ...id.labels, ...defaultLabels(id, facts) };
  const fresh: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.name, labels },
    spec: id.podCidr ? { podCIDR: id.podCidr, podCIDRs: [id.podCidr] } : {},
    status: nodeStatus(id, facts, undefined),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.create<Node>('nodes', fresh);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    try {
      const node = await client.get<Node>('nodes', id.name);
      const next: Node = { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, ...labels } }, spec: { ...node.spec } };
      if (!node.spec?.podCIDR && id.podCidr) Object.assign(next.spec!, { podCIDR: id.podCidr, podCIDRs: [id.podCidr] });
      const updated = await client.update<Node>('nodes', next);
      return await client.updateStatus<Node>('nodes', { ...updated, status: nodeStatus(id, facts, updated.status) });
    } catch (err) {
      // Deleted or changed between our calls: go round again.
      if (attempt >= 5 || !(isNotFound(err) || isConflict(err))) throw err;
    }
  }
}

export interface NodeReporterOptions {
  client: KubeClient;
  identity: NodeIdentity;
  facts: MachineFacts;
  log: (message: string) => void;
  /** k8s nodeStatusReportFrequency: a heartbeat status write at least this often (default 5 min). */
  reportMs?: number;
}

/**
 * Keeps the Node's status current: a write every reportMs (jittered), and at once when the watch
 * shows the Node drifted from what this agent says (the node-lifecycle controller set Ready=Unknown
 * during an outage). A deleted Node is not registered again until the agent restarts, as kubelet.
 */
export class NodeStatusReporter {
  private node?: Node;
  private timer?: NodeJS.Timeout;
  private busy = false;
  private again = false;
  private stopped = false;
  private lastDriftReport = 0;

  constructor(private readonly opts: NodeReporterOptions) {}

  start(registered: Node): void {
    this.node = registered;
    this.schedule();
  }

  private schedule(): void {
    const every = this.opts.reportMs ?? 300_000;
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.report(), every * (0.9 + Math.random() * 0.2));
  }

  /** Node events from the watch. */
  observe(type: 'ADDED' | 'MODIFIED' | 'DELETED', node: Node): void {
    if (this.stopped) return;
    if (type === 'DELETED') {
      this.opts.log(`node ${node.metadata.name} was deleted; restart the agent to register it again`);
      this.node = undefined;
      return;
    }
    this.node = node;
    // At most one drift report every 5 s: a server that rewrites a field its own way must not start a write loop.
    if (statusDrifted(node, this.opts.identity, this.opts.facts) && Date.now() - this.lastDriftReport > 5_000) {
      this.lastDriftReport = Date.now();
      this.report();
    }
  }

  report(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.write()
      .catch((err: unknown) => this.opts.log(`node status of ${this.opts.identity.name}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.busy = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.report();
        } else this.schedule();
      });
  }

  private async write(): Promise<void> {
    const { client, identity, facts } = this.opts;
    if (!this.node) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.node = await client.updateStatus<Node>('nodes', { ...this.node, status: nodeStatus(identity, facts, this.node.status) });
        return;
      } catch (err) {
        if (isNotFound(err)) {
          this.node = undefined;
          return;
        }
        if (!isConflict(err)) throw err;
        this.node = await client.get<Node>('nodes', identity.name);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
