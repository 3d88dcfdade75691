// The agent process: one API client, a runtime per node, shared watches, and the nodes it holds.
import path from 'node:path';
import type { KubeClient } from '../client/client';
import { createApi, httpsTransport, type TlsOptions } from './api';
import { createNodeFeed, createPodFeed } from './feed';
import { Limiter } from './limiter';
import { machineFacts } from './machine';
import { NodeAgent } from './node-agent';
import type { NodeIdentity } from './node-status';
import { localPathAnnotations, localPathRoot, sweepDeletedVolumes } from './volumes/local-path';
import type { Runtime } from './runtime';
import { FakeRuntime } from './runtimes/fake';
import { PodmanRuntime } from './runtimes/podman';
import { ProcessRuntime } from './runtimes/process';
import { startServiceProxy, type ServiceProxy } from './proxy/service-proxy';
import { clusterDnsSettings, startClusterDns, type ClusterDnsConfig } from './dns/cluster-dns';
import type { ClusterDnsSettings } from './dns/pod-dns';
import { TunnelClient } from './tunnel/tunnel-client';
import { collectorFor } from './metrics/collectors';
import type { FakeLoad } from './metrics/fake-collector';
import { MetricsReporter } from './metrics/reporter';
import type { EvictionConfig } from './eviction/thresholds';

export type RuntimeName = 'fake' | 'process' | 'podman' | 'docker';

/** How often the agent removes the directories of deleted local-path volumes. */
const VOLUME_SWEEP_MS = 10_000;

export interface AgentConfig {
  server: string;
  /** The bearer credential (a node credential from the join, or an admin token until then). */
  token: string;
  tls: TlsOptions;
  runtime: RuntimeName;
  /** One node, or many simulated ones (fake runtime only). */
  nodes: Omit<NodeIdentity, 'runtimeVersion'>[];
  stateDir: string;
  /** Stop every container when the agent stops (edgeplane dev); default keep them for adoption. */
  stopPodsOnExit: boolean;
  log: (message: string) => void;
  /** Tracing of pod events and syncs (--verbose). */
  debug?: (message: string) => void;
  statusReportMs?: number;
  podResyncMs?: number;
  /** Open each node's tunnel (exec, attach, port-forward); default on up to MAX_TUNNELS nodes per process. */
  tunnels?: boolean;
  /**
   * Simulated nodes joined with a join token: each node's own credential, by name. The Node authorizer
   * lets a node write only its own Node, Lease and pods, so each node writes with its own; the shared
   * pod and node feeds (reads any node may do) use `token`.
   */
  nodeTokens?: Map<string, string>;
  /** The node's cluster DNS (podman and docker pods only); none: pods use the node's resolver. */
  clusterDns?: ClusterDnsConfig;
  /** How often each node reports its CPU and memory use (default 15 s). */
  metricsIntervalMs?: number;
  /** Each simulated container's use (fake runtime), unless its pod's annotations say otherwise. */
  fakeLoad?: FakeLoad;
  /** kubelet's --eviction-hard/-soft thresholds and pressure transition period; none: no evictions. */
  eviction?: EvictionConfig;
}

/** Simulated fleets would open one WebSocket per node; past this many, tunnels are opt-in. */
const MAX_TUNNELS = 16;
/** Keep-alive sockets of one agent process, shared by its clients (see startAgent). */
const AGENT_SOCKETS = 64;

export interface RunningAgent {
  nodes: NodeAgent[];
  stop(): Promise<void>;
}

export const RUNTIME_VERSIONS: Record<RuntimeName, string> = {
  fake: 'fake://1.0',
  process: 'process://1.0',
  podman: 'podman://1.0',
  docker: 'docker://1.0',
};

function makeRuntime(
  cfg: AgentConfig,
  client: KubeClient,
  node: Omit<NodeIdentity, 'runtimeVersion'>,
  dns: ClusterDnsSettings,
): Runtime {
  switch (cfg.runtime) {
    case 'fake':
      return new FakeRuntime();
    case 'process':
      return new ProcessRuntime({ stateDir: cfg.stateDir, log: cfg.log });
    case 'podman':
    case 'docker':
      return new PodmanRuntime({
        flavor: cfg.runtime,
        stateDir: cfg.stateDir,
        client,
        log: cfg.log,
        nodeAddress: node.address,
        dns,
      });
  }
}

export async function startAgent(cfg: AgentConfig): Promise<RunningAgent> {
  if (cfg.nodes.length === 0) throw new Error('no node to run');
  if (cfg.nodes.length > 1 && cfg.runtime !== 'fake')
    throw new Error('only the fake runtime holds more than one node per process');
  // One pool of keep-alive sockets, with a bound, serves every client of this process: the agent's
  // own (its four watches: pods, nodes, Services, EndpointSlices; the rest short requests) and each
  // simulated node's, which holds its own credential (the bearer is per request). Without a bound,
  // a thousand simulated nodes renewing at once opened a socket each, and workerd stopped
  // accepting ("Too many open files") between 1,000 and 4,000 nodes; with it, requests queue.
  const transport = httpsTransport(cfg.tls, AGENT_SOCKETS);
  const api = createApi({ server: cfg.server, token: cfg.token, ...cfg.tls, transport });
  const nodeApis = new Map(
    [...(cfg.nodeTokens ?? [])].map(([name, token]) => [
      name,
      createApi({ server: cfg.server, token, ...cfg.tls, transport }),
    ]),
  );
  const closeApis = () => transport.close();
  const names = cfg.nodes.map((n) => n.name);
  const onError = (err: unknown) =>
    cfg.log(`watch: ${err instanceof Error ? err.message : String(err)}`);
  const podFeed = createPodFeed(api.client, names, { onError, backoffMaxMs: 30_000 });
  const nodeFeed = createNodeFeed(api.client, names, { onError, backoffMaxMs: 30_000 });
  const facts = machineFacts(cfg.stateDir);
  const syncs = new Limiter(32);
  const registrations = new Limiter(16);
  const runtimes: Runtime[] = [];
  // Filled in once the cluster DNS listens, before any pod starts.
  const dnsSettings = clusterDnsSettings(cfg.clusterDns);
  const nodes: NodeAgent[] = [];
  // The service proxy starts after the nodes; pods ask it (through this) how to reach the API.
  const proxyHolder: { proxy?: ServiceProxy } = {};
  const tunnels: TunnelClient[] = [];
  const withTunnels = cfg.tunnels ?? cfg.nodes.length <= MAX_TUNNELS;
  const renewMs = 10_000;
  const metrics = new MetricsReporter({ intervalMs: cfg.metricsIntervalMs, log: cfg.log });
  try {
    await Promise.all(
      cfg.nodes.map((n, i) =>
        registrations.run(async () => {
          const client = nodeApis.get(n.name)?.client ?? api.client;
          const runtime = makeRuntime(cfg, client, n, dnsSettings);
          runtimes.push(runtime);
          const node = await NodeAgent.start(
            {
              ...n,
              runtimeVersion: runtime.version,
              // local-path volumes live under the state folder (a simulated node's are never made:
              // its pods do not wait for their claims, but the claims bind as on a real node).
              annotations: localPathAnnotations(cfg.stateDir, n.name),
            },
            {
              client,
              runtime,
              podFeed,
              nodeFeed,
              limiter: syncs,
              facts,
              log: cfg.log,
              debug: cfg.debug,
              // Simulated nodes spread their renewals over the period instead of renewing together.
              leaseFirstDelayMs:
                cfg.nodes.length > 1 ? Math.floor((renewMs * i) / cfg.nodes.length) : 0,
              statusReportMs: cfg.statusReportMs,
              podResyncMs: cfg.podResyncMs,
              eviction: cfg.eviction,
              logOffsetsFile:
                cfg.runtime === 'fake' ? undefined : path.join(cfg.stateDir, 'log-offsets.json'),
              // Token files for process pods (a per-pod directory) and podman pods (mounted at the
              // standard path); docker pods cannot reach a loopback API, so they get none.
              serviceAccounts:
                cfg.runtime === 'process' || cfg.runtime === 'podman'
                  ? {
                      root: path.join(cfg.stateDir, 'serviceaccounts'),
                      server: cfg.server,
                      caPem: cfg.tls.caPem,
                      network: cfg.runtime === 'process' ? 'host' : 'slirp',
                      kubernetesService: () =>
                        proxyHolder.proxy?.kubernetesService() ?? Promise.resolve(undefined),
                    }
                  : undefined,
            },
          );
          nodes.push(node);
          metrics.add({
            name: n.name,
            labels: node.node.metadata.labels,
            client,
            collector: collectorFor(runtime, cfg.fakeLoad),
            pods: () => node.pods.runningPods(),
            observe: node.eviction && ((s, now) => node.eviction!.observe(s, now)),
          });
          if (withTunnels) {
            const tunnel = new TunnelClient({
              server: cfg.server,
              token: cfg.nodeTokens?.get(n.name) ?? cfg.token,
              ...cfg.tls,
              nodeName: n.name,
              runtime,
              log: (m) => cfg.log(`${n.name}: ${m}`),
              onFollow: (uid) => node.pods.followLogs(uid),
            });
            tunnels.push(tunnel);
            tunnel.start();
          }
        }),
      ),
    );
  } catch (err) {
    await Promise.allSettled(tunnels.map((t) => t.stop()));
    await Promise.allSettled(nodes.map((n) => n.stop()));
    podFeed.stop();
    nodeFeed.stop();
    await Promise.allSettled(runtimes.map((r) => r.close({ stopContainers: false })));
    closeApis();
    throw err;
  }
  // The service proxy (kube-proxy's job) runs for real runtimes; simulated nodes route nothing.
  const proxy =
    cfg.runtime === 'fake'
      ? undefined
      : startServiceProxy({
          client: api.client,
          nodeName: cfg.nodes[0].name,
          nodeAddress: cfg.nodes[0].address,
          log: cfg.log,
        });
  proxyHolder.proxy = proxy;
  // Cluster DNS reads the proxy's watches; only container runtimes can point pods at it.
  const dns =
    proxy && cfg.clusterDns && (cfg.runtime === 'podman' || cfg.runtime === 'docker')
      ? await startClusterDns(proxy.feed, cfg.clusterDns, dnsSettings, cfg.log)
      : undefined;
  podFeed.start();
  nodeFeed.start();
  metrics.start();
  // The node's half of reclaim policy Delete: directories of deleted local-path volumes go.
  const sweeper =
    cfg.runtime === 'fake'
      ? undefined
      : setInterval(() => {
          for (const n of cfg.nodes)
            void sweepDeletedVolumes(
              nodeApis.get(n.name)?.client ?? api.client,
              localPathRoot(cfg.stateDir, n.name),
              cfg.log,
            ).catch(() => undefined);
        }, VOLUME_SWEEP_MS);
  let stopping: Promise<void> | undefined;
  return {
    nodes,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(sweeper);
        await proxy?.stop().catch(() => undefined);
        await dns?.stop().catch(() => undefined);
        await metrics.stop();
        await Promise.allSettled(tunnels.map((t) => t.stop()));
        await Promise.allSettled(nodes.map((n) => n.stop()));
        podFeed.stop();
        nodeFeed.stop();
        await Promise.allSettled(
          runtimes.map((r) => r.close({ stopContainers: cfg.stopPodsOnExit })),
        );
        closeApis();
      })()),
  };
}
