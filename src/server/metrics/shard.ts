// MetricsShard: the latest usage sample of each node in its slice of the cluster: one stored row per
// node (its pods inside), rewritten with each report, in one batch per agent POST; reads are served
// from memory. metrics-server keeps only the latest scrape too; storing it means an evicted object
// (an idle Durable Object is, within seconds locally) still answers `kubectl top` at once.
// With nodes reporting every 15 s that is 4 rows per node per minute, against the Lease's 6
// renewals (each a log row and a key row, plus the shard's revision row) per node per minute.
import { DurableObject } from 'cloudflare:workers';
import type { NodeUsage, PodUsage } from '../../api/metrics';

/** How often samples of silent nodes are looked for and dropped. */
const SWEEP_MS = 5 * 60_000;
/** A sample older than this many report windows (and at least MIN_STALE_MS) is not served. */
const STALE_WINDOWS = 4;
const MIN_STALE_MS = 60_000;
/** A node silent this long is forgotten, in memory and storage. */
const FORGET_MS = 15 * 60_000;
/** Durable Object storage takes at most 128 keys per put or delete. */
const PUT_BATCH = 128;

export interface StoredSample extends NodeUsage {
  /** When the API received it (epoch ms): staleness is judged on the server's clock, not the agent's. */
  receivedAt: number;
}

export interface PodSample extends PodUsage {
  node: string;
  receivedAt: number;
  windowSeconds: number;
}

export interface ShardStats {
  nodes: number;
  /** Node samples received. */
  reports: number;
  rowsWritten: number;
  /** Storage transactions (one per ingest call). */
  flushes: number;
}

const key = (node: string) => `n:${node}`;

export class MetricsShard extends DurableObject {
  private readonly samples = new Map<string, StoredSample>();
  private readonly counters: Omit<ShardStats, 'nodes'> = { reports: 0, rowsWritten: 0, flushes: 0 };

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    void ctx.blockConcurrencyWhile(async () => {
      const rows = await ctx.storage.list<StoredSample>({ prefix: 'n:' });
      for (const s of rows.values()) this.samples.set(s.node, s);
    });
  }

  async ingest(reports: NodeUsage[]): Promise<void> {
    const now = Date.now();
    const entries: [string, StoredSample][] = [];
    for (const r of reports) {
      const sample = { ...r, receivedAt: now };
      this.samples.set(r.node, sample);
      entries.push([key(r.node), sample]);
      this.counters.reports++;
    }
    // One transaction per agent POST (a put holds up to 128 keys; agents send up to 100 nodes).
    for (let i = 0; i < entries.length; i += PUT_BATCH)
      await this.ctx.storage.put(Object.fromEntries(entries.slice(i, i + PUT_BATCH)));
    this.counters.rowsWritten += entries.length;
    this.counters.flushes++;
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(now + SWEEP_MS);
  }

  /** Forgets nodes silent for FORGET_MS, in memory and storage. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const gone = [...this.samples.values()]
      .filter((s) => now - s.receivedAt > FORGET_MS)
      .map((s) => s.node);
    for (const n of gone) this.samples.delete(n);
    for (let i = 0; i < gone.length; i += PUT_BATCH)
      await this.ctx.storage.delete(gone.slice(i, i + PUT_BATCH).map(key));
    this.counters.rowsWritten += gone.length;
    if (this.samples.size > 0) await this.ctx.storage.setAlarm(now + SWEEP_MS);
  }

  private fresh(now: number): StoredSample[] {
    return [...this.samples.values()].filter(
      (s) => now - s.receivedAt <= Math.max(MIN_STALE_MS, STALE_WINDOWS * s.windowSeconds * 1000),
    );
  }

  /** Nodes with a fresh sample (without their pods), optionally only the one named. */
  async nodes(name?: string): Promise<StoredSample[]> {
    return this.fresh(Date.now())
      .filter((s) => name === undefined || s.node === name)
      .map((s) => ({ ...s, pods: [] }));
  }

  /** Pods of fresh samples, optionally in one namespace and with one name. */
  async pods(namespace?: string, name?: string): Promise<PodSample[]> {
    const out: PodSample[] = [];
    for (const s of this.fresh(Date.now()))
      for (const p of s.pods)
        if ((namespace === undefined || p.namespace === namespace) && (!name || p.name === name))
          out.push({
            ...p,
            node: s.node,
            receivedAt: s.receivedAt,
            windowSeconds: s.windowSeconds,
          });
    return out;
  }

  async stats(): Promise<ShardStats> {
    return { nodes: this.samples.size, ...this.counters };
  }
}
