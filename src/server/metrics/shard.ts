// MetricsShard: the latest usage sample of each node in its slice of the cluster, held in memory and
// written to its own storage in batches, so a report costs no storage write at all.
//
// metrics-server keeps only the latest scrape in memory; so does this, with one stored row per node
// rewritten at most once per FLUSH_MS (all dirty nodes in one batch), so a restarted object answers
// at once. With nodes reporting every 15 s that is a quarter of a row per node per minute's reports,
// against the Lease's one write (plus its log row) per node every 10 s.
import { DurableObject } from 'cloudflare:workers';
import type { NodeUsage, PodUsage } from '../../api/metrics';

/** How often dirty samples are written out, in one batch. */
export const FLUSH_MS = 60_000;
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
  reports: number;
  rowsWritten: number;
  flushes: number;
}

const key = (node: string) => `n:${node}`;

export class MetricsShard extends DurableObject {
  private readonly samples = new Map<string, StoredSample>();
  private readonly dirty = new Set<string>();
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
    for (const r of reports) {
      this.samples.set(r.node, { ...r, receivedAt: now });
      this.dirty.add(r.node);
      this.counters.reports++;
    }
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(now + FLUSH_MS);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const gone = [...this.samples.values()]
      .filter((s) => now - s.receivedAt > FORGET_MS)
      .map((s) => s.node);
    for (const n of gone) {
      this.samples.delete(n);
      this.dirty.delete(n);
    }
    const entries = [...this.dirty].map((n) => [key(n), this.samples.get(n)!] as const);
    this.dirty.clear();
    for (let i = 0; i < entries.length; i += PUT_BATCH)
      await this.ctx.storage.put(Object.fromEntries(entries.slice(i, i + PUT_BATCH)));
    for (let i = 0; i < gone.length; i += PUT_BATCH)
      await this.ctx.storage.delete(gone.slice(i, i + PUT_BATCH).map(key));
    this.counters.rowsWritten += entries.length + gone.length;
    this.counters.flushes++;
    if (this.samples.size > 0) await this.ctx.storage.setAlarm(now + FLUSH_MS);
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
