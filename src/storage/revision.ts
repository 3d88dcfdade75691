// resourceVersion codec: plain revisions for single shards, opaque vectors across partitions.

/**
 * A position in a resource's history. For a resource stored in one shard it is that shard's
 * revision. For a resource hash-partitioned over N shards it is a vector of N revisions, so a
 * merged list or watch can resume every partition exactly where it left off.
 */
export type Position = number[];

export class RevisionError extends Error {}

/** Formats a position: "42" for one shard, "42.17.9.30" for four partitions. */
export function formatPosition(p: Position): string {
  return p.join('.');
}

/** An object's own resourceVersion inside partition `p` of a partitioned resource. */
export function formatObjectRev(rev: number, partition: number, partitions: number): string {
  return partitions > 1 ? `${partition}:${rev}` : String(rev);
}

export type ParsedRV =
  | { kind: 'none' } // "" or absent
  | { kind: 'any' } // "0": any version, from any cache
  | { kind: 'position'; position: Position }
  | { kind: 'object'; partition: number | undefined; rev: number };

const INT = /^\d+$/;

export function parseResourceVersion(rv: string | undefined | null, partitions: number): ParsedRV {
  if (rv === undefined || rv === null || rv === '') return { kind: 'none' };
  if (rv === '0') return { kind: 'any' };
  if (INT.test(rv)) {
    const rev = Number(rv);
    if (partitions <= 1) return { kind: 'position', position: [rev] };
    return { kind: 'object', partition: undefined, rev };
  }
  const colon = /^(\d+):(\d+)$/.exec(rv);
  if (colon) return { kind: 'object', partition: Number(colon[1]), rev: Number(colon[2]) };
  const parts = rv.split('.');
  if (parts.length === partitions && parts.every((x) => INT.test(x))) {
    return { kind: 'position', position: parts.map(Number) };
  }
  throw new RevisionError(`invalid resource version: ${JSON.stringify(rv)}`);
}

/** The revision a precondition means for an object stored in `partition`. */
export function preconditionRev(rv: string, partition: number, partitions: number): number {
  const p = parseResourceVersion(rv, partitions);
  switch (p.kind) {
    case 'position':
      return p.position[partitions > 1 ? partition : 0];
    case 'object':
      // A revision from another partition can never match this object's.
      return p.partition === undefined || p.partition === partition ? p.rev : -1;
    default:
      throw new RevisionError(`invalid resource version precondition: ${JSON.stringify(rv)}`);
  }
}
