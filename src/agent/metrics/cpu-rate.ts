// Cumulative CPU counters to a rate in nanocores: the difference between two samples over their interval.

/**
 * Remembers each counter's last value. A counter seen for the first time has no rate yet (as
 * metrics-server, which needs two points); a counter that went backwards (a restarted process with
 * the same key) starts over. Keys not seen in a pass are forgotten.
 */
export class CpuRates {
  private last = new Map<string, { ns: number; at: number }>();
  private seen = new Set<string>();

  /** Nanocores used since the previous sample of `key`, or undefined on the first sample. */
  rate(key: string, cumulativeNs: number, atMs: number): number | undefined {
    this.seen.add(key);
    const prev = this.last.get(key);
    this.last.set(key, { ns: cumulativeNs, at: atMs });
    if (!prev || atMs <= prev.at || cumulativeNs < prev.ns) return undefined;
    return Math.round(((cumulativeNs - prev.ns) / (atMs - prev.at)) * 1000);
  }

  /** Ends a pass: counters not sampled in it are dropped. */
  sweep(): void {
    for (const k of this.last.keys()) if (!this.seen.has(k)) this.last.delete(k);
    this.seen.clear();
  }
}
