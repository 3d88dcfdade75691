// The storage contract between the API Worker and a shard (kine's table, as RPC results).

export interface StoredItem {
  key: string;
  /** Object JSON without metadata.resourceVersion. */
  value: string;
  /** Revision of this version: the object's resourceVersion. */
  rev: number;
}

export interface Preconditions {
  /** Expected current revision (resourceVersion) of the key. */
  rev?: number;
  /** Expected UID of the stored object. */
  uid?: string;
}

export type WriteResult =
  | { ok: true; rev: number; prev?: StoredItem }
  | {
      ok: false;
      reason: 'exists' | 'not-found' | 'conflict' | 'too-large';
      current?: StoredItem;
      message?: string;
    };

export interface ListOptions {
  prefix: string;
  /** Resume after this key (from a continue token). */
  startAfter?: string;
  limit?: number;
  /** Read at this revision (a continue token's, or resourceVersionMatch=Exact); default: current. */
  atRev?: number;
}

export type ListResult =
  | { ok: true; items: StoredItem[]; rev: number; more: boolean }
  | { ok: false; reason: 'expired'; compactRev: number }
  /** `atRev` is beyond the shard's current revision `rev`. */
  | { ok: false; reason: 'future'; rev: number };

export type EventType = 0 | 1 | 2;
export const EVENT_ADDED: EventType = 0;
export const EVENT_MODIFIED: EventType = 1;
export const EVENT_DELETED: EventType = 2;

export interface LogEvent {
  rev: number;
  key: string;
  type: EventType;
  value: string;
  /** The previous version's value for MODIFIED and DELETED (selector transitions need it). */
  prev?: string;
}

export type LogResult =
  | { ok: true; events: LogEvent[]; rev: number; more: boolean }
  | { ok: false; reason: 'expired'; compactRev: number };

export interface ShardStatus {
  rev: number;
  compactRev: number;
  keys: number;
  logRows: number;
  /** Group commit: transactions committed, and the writes they carried, since the object started. */
  batches: number;
  batchedWrites: number;
}
