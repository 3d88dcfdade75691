// The Node object in the API: registration (create, or take over an existing one), then status reports.
// k8s: pkg/kubelet/kubelet_node_status.go (registerWithAPIServer, tryRegisterWithAPIServer, tryUpdateNodeStatus).
import { backoffMs, isTransient } from './transient';
import type { KubeClient } from '../client/client';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors';
import type { MachineFacts } from './machine';
import {
  defaultLabels,
  nodeStatus,
  statusDrifted,
  type NodeIdentity,
  type NodePressure,
} from './node-status';
import type { Node } from './types';

/**
 * Creates the Node, or takes over an existing one: its default labels are set again, its podCIDR
 * is kept when it has one (the pods already hold addresses from it) and claimed when it has none.
 */
/**
 * k8s: kubelet registerWithAPIServer: registration is retried while the API is busy, slow or
 * unreachable (100 ms doubling to 7 s), so an agent that starts under load waits instead of
 * exiting; an answer that will not change (forbidden, invalid) still fails it.
 */
export async function registerNode(
  client: KubeClient,
  id: NodeIdentity,
  facts: MachineFacts,
  log: (message: string) => void = () => undefined,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<Node> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await tryRegisterNode(client, id, facts);
    } catch (err) {
      if (!isTransient(err)) throw err;
      const wait = backoffMs(attempt, 100, 7000);
      log(
        `registering: ${err instanceof Error ? err.message : String(err)}; retrying in ${wait} ms`,
      );
      await sleep(wait);
    }
  }
}

async function tryRegisterNode(
  client: KubeClient,
  id: NodeIdentity,
  facts: MachineFacts,
): Promise<Node> {
  const labels = { ...id.labels, ...defaultLabels(id, facts) };
  const fresh: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.name, labels, ...(id.annotations ? { annotations: id.annotations } : {}) },
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
      const next: Node = {
        ...node,
        metadata: {
          ...node.metadata,
          labels: { ...node.metadata.labels, ...labels },
          annotations: { ...node.metadata.annotations, ...id.annotations },
        },
        spec: { ...node.spec },
      };
      if (!node.spec?.podCIDR && id.podCidr)
        Object.assign(next.spec!, { podCIDR: id.podCidr, podCIDRs: [id.podCidr] });
      const updated = await client.update<Node>('nodes', next);
      return await client.updateStatus<Node>('nodes', {
        ...updated,
        status: nodeStatus(id, facts, updated.status),
      });
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
  /** The eviction manager's view (MemoryPressure); none reports no pressure. */
  pressure?: () => NodePressure;
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
    if (!this.stopped)
      this.timer = setTimeout(() => this.report(), every * (0.9 + Math.random() * 0.2));
  }

  /** Node events from the watch. */
  observe(type: 'ADDED' | 'MODIFIED' | 'DELETED', node: Node): void {
    if (this.stopped) return;
    if (type === 'DELETED') {
      this.opts.log(
        `node ${node.metadata.name} was deleted; restart the agent to register it again`,
      );
      this.node = undefined;
      return;
    }
    this.node = node;
    // At most one drift report every 5 s: a server that rewrites a field its own way must not start a write loop.
    if (
      statusDrifted(node, this.opts.identity, this.opts.facts, this.opts.pressure?.()) &&
      Date.now() - this.lastDriftReport > 5_000
    ) {
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
      .catch((err: unknown) =>
        this.opts.log(
          `node status of ${this.opts.identity.name}: ${err instanceof Error ? err.message : String(err)}`,
        ),
      )
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
        this.node = await client.updateStatus<Node>('nodes', {
          ...this.node,
          status: nodeStatus(identity, facts, this.node.status, Date.now(), this.opts.pressure?.()),
        });
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
