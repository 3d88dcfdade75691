// Reports each node's use to the API every interval: one POST per credential, batching the nodes that share it.
import type { KubeClient } from '../../client/client';
import {
  DEFAULT_METRICS_INTERVAL_MS,
  METRICS_INGEST_PATH,
  type MetricsReport,
  type NodeUsage,
} from '../../api/metrics';
import type { Pod } from '../types';
import type { UsageCollector, UsageSample } from './collector';

/** Nodes per POST: 100 simulated nodes of ~10 pods each stay well under the API's 3 MiB body limit. */
const BATCH_NODES = 100;

export interface MeteredNode {
  name: string;
  labels?: Record<string, string>;
  client: KubeClient;
  collector: UsageCollector;
  /** The pods the node runs now. */
  pods(): Pod[];
  /** Sees every sample, the first (CPU-less) one too: the eviction manager's memory.available. */
  observe?(sample: UsageSample, nowMs: number): void;
}

export interface MetricsReporterOptions {
  intervalMs?: number;
  log: (message: string) => void;
}

export class MetricsReporter {
  private readonly nodes: MeteredNode[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly intervalMs: number;

  constructor(private readonly opts: MetricsReporterOptions) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
  }

  add(node: MeteredNode): void {
    this.nodes.push(node);
  }

  start(): void {
    // The first sample only primes the CPU counters of real runtimes; the report follows one interval on.
    this.timer = setInterval(() => {
      this.running ??= this.report().finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
    void this.sampleAll(Date.now()).catch(() => undefined);
  }

  private async sampleAll(now: number): Promise<Map<KubeClient, NodeUsage[]>> {
    const byClient = new Map<KubeClient, NodeUsage[]>();
    for (const n of this.nodes) {
      const pods = n.pods();
      const s = await n.collector.sample(pods, now);
      try {
        n.observe?.(s, now);
      } catch (err) {
        this.opts.log(`${n.name}: eviction: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (s.node.cpu === undefined) continue;
      const usage: NodeUsage = {
        node: n.name,
        labels: n.labels,
        timestamp: now,
        windowSeconds: this.intervalMs / 1000,
        cpu: s.node.cpu,
        memory: s.node.memory,
        pods: pods.flatMap((p) => {
          const containers = s.pods.get(p.metadata.uid!);
          return containers
            ? [
                {
                  namespace: p.metadata.namespace!,
                  name: p.metadata.name!,
                  uid: p.metadata.uid!,
                  labels: p.metadata.labels,
                  containers,
                },
              ]
            : [];
        }),
      };
      const list = byClient.get(n.client);
      if (list) list.push(usage);
      else byClient.set(n.client, [usage]);
    }
    return byClient;
  }

  async report(): Promise<void> {
    const byClient = await this.sampleAll(Date.now());
    await Promise.all(
      [...byClient].map(async ([client, usages]) => {
        for (let i = 0; i < usages.length; i += BATCH_NODES) {
          const body: MetricsReport = { nodes: usages.slice(i, i + BATCH_NODES) };
          try {
            const res = await client.raw('POST', METRICS_INGEST_PATH, {
              body: JSON.stringify(body),
              contentType: 'application/json',
            });
            await res.arrayBuffer();
          } catch (err) {
            this.opts.log(`metrics: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
