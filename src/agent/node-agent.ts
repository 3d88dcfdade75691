// One node: register it, keep its Lease and status, and run the pods bound to it on its runtime.
import type { KubeClient } from '../client/client';
import { createRecorder } from '../client/events';
import type { NodeFeed, PodFeed } from './feed';
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
}

export class NodeAgent {
  private constructor(
    readonly identity: NodeIdentity,
    readonly node: Node,
    readonly lease: LeaseRenewer,
    private readonly reporter: NodeStatusReporter,
    readonly pods: PodSync,
    private readonly unsubscribe: () => void,
  ) {}

  /** Registers the Node (claiming or adopting its podCIDR), then starts the lease, status and pod loops. */
  static async start(identity: NodeIdentity, deps: NodeAgentDeps): Promise<NodeAgent> {
    const { client, runtime, facts } = deps;
    const log = (m: string) => deps.log(`${identity.name}: ${m}`);
    const node = await registerNode(client, identity, facts, log);
    const podCidr = node.spec?.podCIDR ?? identity.podCidr;
    const lease = new LeaseRenewer({ client, node, log, firstDelayMs: deps.leaseFirstDelayMs });
    const reporter = new NodeStatusReporter({
      client,
      identity,
      facts,
      log,
      reportMs: deps.statusReportMs,
    });
    const unsubscribe = deps.nodeFeed.subscribe(identity.name, (e) =>
      reporter.observe(e.type, e.object),
    );
    const pods = new PodSync({
      client,
      nodeName: identity.name,
      hostIP: identity.address,
      runtime,
      feed: deps.podFeed,
      limiter: deps.limiter,
      addresses: new PodAddresses(podCidr, identity.address),
      recorder: createRecorder(client, { component: 'kubelet', host: identity.name }),
      allocatable: node.status?.allocatable ?? {},
      log,
      debug: deps.debug && ((m: string) => deps.debug!(`${identity.name}: ${m}`)),
      resyncMs: deps.podResyncMs,
      logOffsetsFile: deps.logOffsetsFile,
      serviceAccounts: deps.serviceAccounts,
    });
    lease.start();
    reporter.start(node);
    const agent = new NodeAgent(identity, node, lease, reporter, pods, unsubscribe);
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
