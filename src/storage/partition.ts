// Which shard holds a key: one shard per resource, or N hash partitions for high-volume resources.

/** FNV-1a 32-bit: stable, fast and well spread for short keys. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function partitionOf(key: string, partitions: number): number {
  return partitions <= 1 ? 0 : fnv1a32(key) % partitions;
}

/** Durable Object name of a shard. Unpartitioned resources keep one name whatever N is. */
export function shardName(
  storageResource: string,
  partition: number,
  partitioned: boolean,
): string {
  return partitioned ? `${storageResource}#${partition}` : storageResource;
}

/** The storage resource a shard's Durable Object name belongs to (shardName's inverse). */
export function shardResource(name: string): string {
  const hash = name.lastIndexOf('#');
  return hash < 0 ? name : name.slice(0, hash);
}
