// One node: register it, keep its Lease and status, and run the pods bound to it on its runtime.
import type { KubeClient } from '../client/client';
import { createRecorder } from '../client/events';
import { EvictionManager } from './eviction/manager';
import type { EvictionConfig } from './eviction/thresholds';
import type { NodeFeed, PodFeed } from './feed';
import { parseQuantity } from '../lib/quantity';
import { LeaseRenewer } from './lease';
import type { Limiter } from './limiter';
import type { MachineFacts } from './machine';
import { PodAddresses } from './network';
import { NodeStatusReporter, registerNode } from './node-reporter';
import type { NodeIdentity } from './node-status';
import { PodSync } from './pod-sync';
import type { ServiceAccountConfig } from './volumes/service-account';
import type { Runtime } from './runtime';
import type { Node } from './types';

export interface NodeAgentDeps {
  client: KubeClient;
  runtime: Runtime;
  podFeed: PodFeed;
  nodeFeed: NodeFeed;
  limiter: Limiter;
  facts: MachineFacts;
  log: (message: string) => void;
  debug?: (message: string) => void;
  leaseFirstDelayMs?: number;
  statusReportMs?: number;
  podResyncMs?: number;
  /** Where the log shipper keeps its offsets; undefined ships no logs (simulated nodes keep none). */
  logOffsetsFile?: string;
  /** Where process pods get their ServiceAccount token files. */
  serviceAccounts?: ServiceAccountConfig;
  /** Eviction thresholds (kubelet's --eviction-*); none, or no thresholds, runs no eviction manager. */
  eviction?: EvictionConfig;
}

export class NodeAgent {
  private constructor(
    readonly identity: NodeIdentity,
    readonly node: Node,
    readonly lease: LeaseRenewer,
    private readonly reporter: NodeStatusReporter,
    readonly pods: PodSync,
    private readonly unsubscribe: () => void,
    /** Fed each usage sample by the metrics reporter. */
    readonly eviction?: EvictionManager,
  ) {}

  /** Registers the Node (claiming or adopting its podCIDR), then starts the lease, status and pod loops. */
  static async start(identity: NodeIdentity, deps: NodeAgentDeps): Promise<NodeAgent> {
    const { client, runtime, facts } = deps;
    const log = (m: string) => deps.log(`${identity.name}: ${m}`);
    const node = await registerNode(client, identity, facts, log);
    const podCidr = node.spec?.podCIDR ?? identity.podCidr;
    const lease = new LeaseRenewer({ client, node, log, firstDelayMs: deps.leaseFirstDelayMs });
    const recorder = createRecorder(client, { component: 'kubelet', host: identity.name });
    // Set below: the eviction manager and the status reporter refer to each other and to the pods.
    let pods: PodSync | undefined;
    let reporter: NodeStatusReporter | undefined;
    const capacityBytes = memoryBytes(node.status?.capacity?.memory);
    const eviction =
      deps.eviction?.thresholds.length && capacityBytes > 0
        ? new EvictionManager({
            config: deps.eviction,
            capacityBytes,
            machineBytes:
              runtime.name !== 'fake' && identity.memory ? facts.memoryBytes : undefined,
            activePods: () => pods?.evictablePods() ?? [],
            evict: (pod, e) => pods?.evict(pod.metadata.uid!, e) ?? false,
            evictionPending: () => pods?.evictionPending() ?? false,
            conditionsChanged: () => reporter?.report(),
            nodeEvent: (reason, message) =>
              void recorder
                .event(
                  {
                    apiVersion: 'v1',
                    kind: 'Node',
                    metadata: { name: identity.name, uid: identity.name },
                  },
                  'Warning',
                  reason,
                  message,
                )
                .catch(() => undefined),
            log,
          })
        : undefined;
    reporter = new NodeStatusReporter({
      client,
      identity,
      facts,
      log,
      reportMs: deps.statusReportMs,
      pressure: eviction && (() => ({ memory: eviction.underMemoryPressure })),
    });
    const unsubscribe = deps.nodeFeed.subscribe(identity.name, (e) =>
      reporter.observe(e.type, e.object),
    );
    pods = new PodSync({
      client,
      nodeName: identity.name,
      hostIP: identity.address,
      runtime,
      feed: deps.podFeed,
      limiter: deps.limiter,
      addresses: new PodAddresses(podCidr, identity.address),
      recorder,
      allocatable: node.status?.allocatable ?? {},
      log,
      debug: deps.debug && ((m: string) => deps.debug!(`${identity.name}: ${m}`)),
      resyncMs: deps.podResyncMs,
      logOffsetsFile: deps.logOffsetsFile,
      serviceAccounts: deps.serviceAccounts,
      admit: eviction && ((pod) => eviction.admit(pod)),
    });
    lease.start();
    reporter.start(node);
    const agent = new NodeAgent(identity, node, lease, reporter, pods, unsubscribe, eviction);
    void pods
      .start()
      .catch((err: unknown) =>
        log(`pod sync stopped: ${err instanceof Error ? err.message : String(err)}`),
      );
    return agent;
  }

  /** Stops the loops; the runtime's containers are left to the caller (kept for adoption, or stopped). */
  async stop(): Promise<void> {
    this.unsubscribe();
    this.lease.stop();
    this.reporter.stop();
    await this.pods.stop();
  }
}

function memoryBytes(v: string | undefined): number {
  try {
    return v ? parseQuantity(v).value() : 0;
  } catch {
    return 0;
  }
}
