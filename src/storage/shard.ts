// StorageShard: one etcd-like keyspace on a Durable Object with SQLite (kine's log + key index).
import { DurableObject } from 'cloudflare:workers';
import { drizzle, type DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { and, asc, eq, gt, gte, isNotNull, lt, lte, min, sql } from 'drizzle-orm';
import { applyMigrations } from './migrate';
import { kv, log, meta } from './schema';
import { MAX_OBJECT_BYTES, MAX_PAGE, MAX_PAGE_BYTES, utf8Length } from './limits';
import { prefixEnd } from './keys';
import { shardResource } from './partition';
import type {
  EventType,
  ListOptions,
  ListResult,
  LogEvent,
  LogResult,
  Preconditions,
  ShardStatus,
  StoredItem,
  WriteResult,
} from './types';
import { EVENT_ADDED, EVENT_DELETED, EVENT_MODIFIED } from './types';
import type { WatchHub } from '../watch/hub';

export interface ShardEnv {
  HUBS: DurableObjectNamespace<WatchHub>;
  /** How many revisions of history to keep for watches and continue tokens. */
  HISTORY_REVISIONS?: string;
  /** Seconds an Event lives after its last write (kube-apiserver --event-ttl); default an hour. */
  EVENT_TTL?: string;
}

const DEFAULT_HISTORY = 10_000;
const DEFAULT_EVENT_TTL_SECONDS = 3600;
/** Expired keys one alarm deletes before it re-arms itself (a backlog drains over several alarms). */
const EXPIRE_BATCH = 500;
/**
 * After an alarm, the next one comes no sooner than this unless a backlog is left: with Events
 * written steadily, each alarm then deletes the ones that expired in this window instead of an
 * alarm per Event. An Event so lives at most its TTL plus this.
 */
const EXPIRE_COALESCE_MS = 10_000;
/** How long a hub's subscription lasts without renewal. */
const SUBSCRIPTION_MS = 60_000;

export class StorageShard extends DurableObject<ShardEnv> {
  private db: DrizzleSqliteDODatabase;
  private q!: ReturnType<typeof prepareHotStatements>;
  private rev = 0;
  private compactRev = 0;
  private readonly history: number;
  private hubUntil = 0;
  private outbox: LogEvent[] = [];
  private pumping = false;
  /** How long a key lives after its last write, in ms, in shards whose keys expire (Events); else 0. */
  private ttlMs: number;
  /** Expired keys one alarm deletes (tests lower it). */
  private expireBatch = EXPIRE_BATCH;
  /** When the armed alarm fires (ms since the epoch), if one is armed. */
  private alarmAt: number | undefined;

  constructor(ctx: DurableObjectState, env: ShardEnv) {
    super(ctx, env);
    this.db = drizzle(ctx.storage, { logger: false });
    this.q = prepareHotStatements(this.db);
    this.history = Math.max(10, Number(env.HISTORY_REVISIONS) || DEFAULT_HISTORY);
    this.ttlMs = expiringShard(ctx.id.name) ? eventTtlMs(env.EVENT_TTL) : 0;
    ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage);
      // Revision 1 is the empty keyspace: a list's resourceVersion is never "0", which means "any".
      this.rev = Number(this.metaGet('rev') ?? 1);
      this.compactRev = Number(this.metaGet('compact_rev') ?? 0);
      // A shard evicted while idle must keep pushing to its hub after it wakes: the subscription
      // outlives the instance.
      this.hubUntil = Number(this.metaGet('hub_until') ?? 0);
      if (this.ttlMs > 0) await this.startExpiry();
    });
  }

  // ---- expiry: the etcd lease analogue (kube-apiserver stores each Event with an --event-ttl lease) ----

  /**
   * Keys written before expiry existed (a shard upgraded in place) get their lease now, once, so an
   * upgraded cluster still forgets its old Events; then the alarm is armed at the earliest expiry.
   */
  private async startExpiry(): Promise<void> {
    if (this.metaGet('expiry_backfilled') === undefined) {
      this.ctx.storage.transactionSync(() => {
        this.db
          .update(kv)
          .set({ expires: Date.now() + this.ttlMs })
          .where(sql`${kv.expires} IS NULL`)
          .run();
        this.metaSet('expiry_backfilled', '1');
      });
    }
    this.alarmAt = (await this.ctx.storage.getAlarm()) ?? undefined;
    const next = this.earliestExpiry();
    if (next !== undefined) this.armAlarm(next);
  }

  /** A create or update's lease: now + TTL in expiring shards, none elsewhere. */
  private expiryOfWrite(): number | null {
    if (this.ttlMs === 0) return null;
    const expires = Date.now() + this.ttlMs;
    this.nextExpiry = Math.min(this.nextExpiry ?? expires, expires);
    return expires;
  }

  /** The earliest lease written by the batch being applied (armed once the batch commits). */
  private nextExpiry: number | undefined;

  private earliestExpiry(): number | undefined {
    return (
      this.db
        .select({ at: min(kv.expires) })
        .from(kv)
        .where(isNotNull(kv.expires))
        .get()?.at ?? undefined
    );
  }

  /** Arms the alarm at `at` unless one is already armed to fire no later. */
  private armAlarm(at: number): void {
    if (this.alarmAt !== undefined && this.alarmAt <= at) return;
    this.alarmAt = at;
    this.ctx.storage.setAlarm(at).catch((err: unknown) => {
      this.alarmAt = undefined;
      console.error('arming the expiry alarm failed', err);
    });
  }

  /**
   * Deletes keys whose lease has passed, at most a batch (EXPIRE_BATCH) per alarm, through the normal write
   * path: each is a DELETED entry in the log (watchers see it, revisions stay gapless) committed
   * with whatever writes share its batch. Then the alarm is re-armed at the next expiry. A batch
   * that fails re-arms it EXPIRE_COALESCE_MS out instead of throwing for the runtime's retry: that
   * retry is not what `alarmAt` says, so the next Event write would have replaced it with its own
   * expiry (a TTL away), and the runtime gives up after a few retries.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = undefined;
    const now = Date.now();
    const due = this.db
      .select({ key: kv.key })
      .from(kv)
      .where(lte(kv.expires, now))
      .orderBy(asc(kv.expires))
      .limit(this.expireBatch)
      .all();
    try {
      await Promise.all(due.map(({ key }) => this.enqueue(() => this.applyExpire(key, now))));
    } catch (err) {
      console.error('expiring keys failed; trying again shortly', err);
      this.armAlarm(Date.now() + EXPIRE_COALESCE_MS);
      return;
    }
    const next = this.earliestExpiry();
    if (next === undefined) return;
    const backlog = due.length === this.expireBatch;
    this.armAlarm(backlog ? next : Math.max(next, Date.now() + EXPIRE_COALESCE_MS));
  }

  // ---- group commit: writes that arrive together share one transaction and one durable flush ----

  /**
   * Writes are queued and applied together on the next turn of the event loop, in arrival order,
   * in one outer transaction (each write still its own savepoint: check, revision and write with
   * no await between). Requests arriving while a batch is pending join it, so one flush (and one
   * release of the output gate) serves them all instead of one flush per request.
   */
  private queue: {
    run: () => Applied;
    resolve: (r: WriteResult) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private flushPending = false;

  private enqueue(run: () => Applied): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      if (!this.flushPending) {
        this.flushPending = true;
        setTimeout(() => this.flush(), 0);
      }
    });
  }

  /**
   * Nothing leaves the batch before its transaction commits: answers, events for the hub and the
   * in-memory revision and compaction point. A write whose savepoint fails is rejected alone and
   * gives its revision back (the next write takes it, so revisions have no gaps); a batch whose
   * transaction fails rejects every write in it and leaves the shard as it was before the batch.
   */
  private flush(): void {
    this.flushPending = false;
    const batch = this.queue.splice(0);
    const before = { rev: this.rev, compactRev: this.compactRev };
    const outcomes: ({ ok: WriteResult } | { err: unknown })[] = [];
    const events: LogEvent[] = [];
    try {
      this.ctx.storage.transactionSync(() => {
        for (const w of batch) {
          const rev = this.rev;
          try {
            const { result, event } = w.run();
            outcomes.push({ ok: result });
            if (event) events.push(event);
          } catch (err) {
            // Its savepoint rolled back, and the revision it took with it.
            this.rev = rev;
            outcomes.push({ err });
          }
        }
        if (this.rev - this.compactRev > this.history + Math.max(100, this.history / 10)) {
          const compactRev = this.compactRev;
          try {
            this.compact(this.rev - this.history);
          } catch (err) {
            // Its savepoint rolled back; the writes still commit, and a later batch compacts.
            this.compactRev = compactRev;
            console.error('compaction failed', err);
          }
        }
        this.faults?.beforeCommit?.();
      });
    } catch (err) {
      this.rev = before.rev;
      this.compactRev = before.compactRev;
      this.nextExpiry = undefined;
      for (const w of batch) w.reject(err);
      return;
    }
    this.batches++;
    this.batchedWrites += batch.length;
    if (this.nextExpiry !== undefined) {
      this.armAlarm(this.nextExpiry);
      this.nextExpiry = undefined;
    }
    this.publish(events);
    this.wakeWaiters();
    outcomes.forEach((o, i) => ('ok' in o ? batch[i].resolve(o.ok) : batch[i].reject(o.err)));
  }

  /** Commit batches and the writes they carried (the benchmark reports the ratio). */
  private batches = 0;
  private batchedWrites = 0;

  /**
   * Test-only fault injection, unset in production. Tests set it from inside the object
   * (`runInDurableObject`); it is a plain field, so no RPC caller can reach it.
   */
  private faults?: {
    beforeCommit?: () => void;
    afterAppend?: (key: string) => void;
    afterCompact?: () => void;
  };

  create(key: string, value: string, uid: string): Promise<WriteResult> {
    return this.enqueue(() => this.applyCreate(key, value, uid));
  }

  update(key: string, value: string, pre: Preconditions, uid?: string): Promise<WriteResult> {
    return this.enqueue(() => this.applyUpdate(key, value, pre, uid));
  }

  delete(key: string, pre: Preconditions): Promise<WriteResult> {
    return this.enqueue(() => this.applyDelete(key, pre));
  }

  // ---- writes: each is one synchronous savepoint (no await between check and write) ----

  private applyCreate(key: string, value: string, uid: string): Applied {
    const big = this.tooLarge(value);
    if (big) return { result: big };
    const result = this.ctx.storage.transactionSync((): WriteResult => {
      const cur = this.current(key);
      if (cur) return { ok: false, reason: 'exists', current: cur.item };
      const rev = this.append(key, EVENT_ADDED, value, 0, 0);
      this.q.insertKey.run({ key, rev, uid, expires: this.expiryOfWrite() });
      return { ok: true, rev };
    });
    return { result, event: eventOf(result, key, EVENT_ADDED, value) };
  }

  private applyUpdate(key: string, value: string, pre: Preconditions, uid?: string): Applied {
    const big = this.tooLarge(value);
    if (big) return { result: big };
    const result = this.ctx.storage.transactionSync((): WriteResult => {
      const cur = this.current(key);
      if (!cur) return { ok: false, reason: 'not-found' };
      const failed = this.checkPreconditions(cur, pre);
      if (failed) return failed;
      const rev = this.append(key, EVENT_MODIFIED, value, cur.createRev, cur.item.rev);
      this.q.updateKey.run({ key, rev, uid: uid ?? cur.uid, expires: this.expiryOfWrite() });
      return { ok: true, rev, prev: cur.item };
    });
    return { result, event: eventOf(result, key, EVENT_MODIFIED, value) };
  }

  private applyDelete(key: string, pre: Preconditions): Applied {
    const result = this.ctx.storage.transactionSync((): WriteResult => {
      const cur = this.current(key);
      if (!cur) return { ok: false, reason: 'not-found' };
      const failed = this.checkPreconditions(cur, pre);
      if (failed) return failed;
      // The tombstone carries the last state, as etcd's delete event carries prevKv.
      const rev = this.append(key, EVENT_DELETED, cur.item.value, cur.createRev, cur.item.rev);
      this.q.deleteKey.run({ key });
      return { ok: true, rev, prev: cur.item };
    });
    return {
      result,
      event: result.ok ? eventOf(result, key, EVENT_DELETED, result.prev!.value) : undefined,
    };
  }

  /** Deletes `key` if its lease has passed by `now` (a write since may have renewed it). */
  private applyExpire(key: string, now: number): Applied {
    const row = this.q.expiresOf.get({ key });
    if (row?.expires == null || row.expires > now)
      return { result: { ok: false, reason: 'not-found' } };
    return this.applyDelete(key, {});
  }

  // ---- reads ----

  get(key: string): { item: StoredItem | null; rev: number } {
    return { item: this.current(key)?.item ?? null, rev: this.rev };
  }

  list(opts: ListOptions): ListResult {
    const limit = Math.min(opts.limit && opts.limit > 0 ? opts.limit : MAX_PAGE, MAX_PAGE);
    const atRev = opts.atRev ?? this.rev;
    if (atRev < this.compactRev)
      return { ok: false, reason: 'expired', compactRev: this.compactRev };
    // A snapshot this shard has not reached yet is not the current state: the caller waits or refuses.
    if (atRev > this.rev) return { ok: false, reason: 'future', rev: this.rev };
    const from = opts.startAfter ?? '';
    const end = prefixEnd(opts.prefix);
    let rows: { key: string; rev: number; value: string }[];
    if (atRev >= this.rev) {
      // Current state: the key index points straight at each live version.
      rows = this.db
        .select({ key: kv.key, rev: kv.rev, value: log.value })
        .from(kv)
        .innerJoin(log, eq(log.rev, kv.rev))
        .where(and(gte(kv.key, opts.prefix), lt(kv.key, end), gt(kv.key, from)))
        .orderBy(asc(kv.key))
        .limit(limit + 1)
        .all();
    } else {
      // A snapshot: for each key the newest version at or before atRev, unless that is a tombstone.
      rows = this.db.all<{ key: string; rev: number; value: string }>(sql`
        SELECT l.key AS key, l.rev AS rev, l.value AS value FROM log l
        WHERE l.key >= ${opts.prefix} AND l.key < ${end} AND l.key > ${from}
          AND l.rev = (SELECT MAX(m.rev) FROM log m WHERE m.key = l.key AND m.rev <= ${atRev})
          AND l.type != ${EVENT_DELETED}
        ORDER BY l.key LIMIT ${limit + 1}`);
    }
    const items: StoredItem[] = [];
    let bytes = 0;
    for (const r of rows.slice(0, limit)) {
      bytes += r.value.length;
      if (items.length > 0 && bytes > MAX_PAGE_BYTES) break;
      items.push({ key: r.key, value: r.value, rev: r.rev });
    }
    return { ok: true, items, rev: Math.max(atRev, 0), more: rows.length > items.length };
  }

  /** Events after `afterRev`, in order, optionally only under a key prefix. */
  readLog(afterRev: number, limit = MAX_PAGE, prefix = ''): LogResult {
    if (afterRev < this.compactRev)
      return { ok: false, reason: 'expired', compactRev: this.compactRev };
    const n = Math.min(Math.max(limit, 1), MAX_PAGE);
    const end = prefix ? prefixEnd(prefix) : '\u{10ffff}';
    const rows = this.db.all<{
      rev: number;
      key: string;
      type: number;
      value: string;
      prev: string | null;
    }>(sql`
      SELECT l.rev AS rev, l.key AS key, l.type AS type, l.value AS value, p.value AS prev
      FROM log l LEFT JOIN log p ON p.rev = l.prev_rev AND l.prev_rev > 0
      WHERE l.rev > ${afterRev} AND l.key >= ${prefix} AND l.key < ${end}
      ORDER BY l.rev LIMIT ${n + 1}`);
    const events: LogEvent[] = [];
    let bytes = 0;
    for (const r of rows.slice(0, n)) {
      bytes += r.value.length + (r.prev?.length ?? 0);
      if (events.length > 0 && bytes > MAX_PAGE_BYTES) break;
      events.push(toEvent(r));
    }
    const more = rows.length > events.length;
    // When the page is complete the reader is caught up to the shard's current revision.
    const upTo = more ? events[events.length - 1].rev : this.rev;
    return { ok: true, events, rev: upTo, more };
  }

  /**
   * Resolves with the shard's revision once it reaches `rev`, or when `ms` (at most 10 s) pass. A
   * read at a resourceVersion from the future waits here before it is refused.
   */
  async awaitRevision(rev: number, ms: number): Promise<number> {
    if (this.rev >= rev) return this.rev;
    await new Promise<void>((resolve) => {
      const waiter = { rev, resolve };
      this.waiters.add(waiter);
      setTimeout(
        () => {
          this.waiters.delete(waiter);
          resolve();
        },
        Math.min(Math.max(ms, 0), 10_000),
      );
    });
    return this.rev;
  }

  private waiters = new Set<{ rev: number; resolve: () => void }>();

  private wakeWaiters(): void {
    for (const w of this.waiters) {
      if (w.rev > this.rev) continue;
      this.waiters.delete(w);
      w.resolve();
    }
  }

  status(): ShardStatus {
    const keys = this.db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM kv`)?.n ?? 0;
    const logRows = this.db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM log`)?.n ?? 0;
    return {
      rev: this.rev,
      compactRev: this.compactRev,
      keys,
      logRows,
      batches: this.batches,
      batchedWrites: this.batchedWrites,
    };
  }

  /** Forget history at and before `rev` (etcd's compact): older watches and continues get 410. */
  compact(rev: number): { compactRev: number } {
    const target = Math.min(rev, this.rev);
    if (target <= this.compactRev) return { compactRev: this.compactRev };
    this.ctx.storage.transactionSync(() => {
      // Keep, per key, the newest version at or before the target unless it is a tombstone.
      this.db.run(sql`
        DELETE FROM log WHERE rev <= ${target} AND (type = ${EVENT_DELETED} OR EXISTS (
          SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= ${target}))`);
      this.compactRev = target;
      this.metaSet('compact_rev', String(target));
      this.faults?.afterCompact?.();
    });
    return { compactRev: this.compactRev };
  }

  /** Records a cluster-wide setting on first use and returns what is recorded. */
  ensureSetting(name: string, value: string): string {
    return this.ctx.storage.transactionSync(() => {
      const existing = this.metaGet(`setting:${name}`);
      if (existing !== undefined) return existing;
      this.metaSet(`setting:${name}`, value);
      return value;
    });
  }

  /** A cluster-wide setting, if one is recorded. */
  getSetting(name: string): string | undefined {
    return this.metaGet(`setting:${name}`);
  }

  /**
   * Replaces a recorded setting only if it still holds `expected` (a compare-and-set, for the few
   * settings that change: the ServiceAccount signing key ring). Returns what is recorded after.
   */
  replaceSetting(name: string, expected: string, value: string): string {
    return this.ctx.storage.transactionSync(() => {
      const existing = this.metaGet(`setting:${name}`);
      if (existing !== expected) return existing ?? '';
      this.metaSet(`setting:${name}`, value);
      return value;
    });
  }

  /**
   * A watch hub asks for events to be pushed to it for a while. Returns the current revision:
   * every event after it will be pushed until the subscription lapses.
   */
  subscribe(): { rev: number; compactRev: number } {
    this.hubUntil = Date.now() + SUBSCRIPTION_MS;
    this.metaSet('hub_until', String(this.hubUntil));
    return { rev: this.rev, compactRev: this.compactRev };
  }

  // ---- internals ----

  private current(key: string): { item: StoredItem; createRev: number; uid: string } | undefined {
    const row = this.q.current.get({ key });
    if (!row) return undefined;
    return {
      item: { key, value: row.value, rev: row.rev },
      createRev: row.createRev,
      uid: row.uid,
    };
  }

  private checkPreconditions(
    cur: { item: StoredItem; uid: string },
    pre: Preconditions,
  ): WriteResult | undefined {
    if (pre.uid !== undefined && pre.uid !== cur.uid) {
      return {
        ok: false,
        reason: 'conflict',
        current: cur.item,
        message: `UID in precondition: ${pre.uid}, UID in object meta: ${cur.uid}`,
      };
    }
    if (pre.rev !== undefined && pre.rev !== cur.item.rev) {
      return { ok: false, reason: 'conflict', current: cur.item };
    }
    return undefined;
  }

  private append(
    key: string,
    type: EventType,
    value: string,
    createRev: number,
    prevRev: number,
  ): number {
    const rev = this.rev + 1;
    this.q.append.run({ rev, key, type, createRev: createRev || rev, prevRev, value });
    this.metaSet('rev', String(rev));
    this.rev = rev;
    this.faults?.afterAppend?.(key);
    return rev;
  }

  private tooLarge(value: string): WriteResult | undefined {
    if (value.length > MAX_OBJECT_BYTES / 4 && utf8Length(value) > MAX_OBJECT_BYTES) {
      return {
        ok: false,
        reason: 'too-large',
        message: `object is larger than the ${MAX_OBJECT_BYTES} byte limit`,
      };
    }
    return undefined;
  }

  /** Hands committed events to the hub pump, if a hub is subscribed. */
  private publish(events: LogEvent[]): void {
    if (events.length === 0 || Date.now() >= this.hubUntil) return;
    this.outbox.push(...events);
    if (!this.pumping) void this.pump();
  }

  private hub: DurableObjectStub<WatchHub> | undefined;

  /** This shard's watch hub; the stub is kept (idFromName and a new stub per batch showed in profiles). */
  private hubStub(): DurableObjectStub<WatchHub> | undefined {
    const name = this.ctx.id.name;
    if (!name) return undefined;
    return (this.hub ??= this.env.HUBS.get(this.env.HUBS.idFromName(name)));
  }

  /** Pushes committed events to this shard's watch hub, in order, one batch at a time. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.outbox.length > 0) {
        const batch = takeBatch(this.outbox);
        const hub = this.hubStub();
        if (!hub) return;
        try {
          await hub.publish(batch);
        } catch {
          // The hub catches up from the log when it sees a gap; dropping here loses nothing. A
          // broken stub stays broken, so the next batch gets a new one.
          this.outbox = [];
          this.hub = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private metaGet(name: string): string | undefined {
    return this.db.select({ value: meta.value }).from(meta).where(eq(meta.name, name)).get()?.value;
  }

  private metaSet(name: string, value: string): void {
    this.q.metaSet.run({ name, value });
  }
}

/**
 * The statements every write and point read runs, built once per instance. Drizzle builds a
 * query's SQL from its builder on every call; on a pod create (current, log insert, rev upsert,
 * key insert) that was about a fifth of the API Worker's CPU in a profile. Prepared once, a pod
 * create costs workerd 4.2 ms of CPU instead of 5.3 (serial), 2.6 instead of 3.05 (8 writers):
 * the same as hand-written SQL measured.
 */
function prepareHotStatements(db: DrizzleSqliteDODatabase) {
  const p = <T extends string>(name: T) => sql.placeholder(name);
  return {
    current: db
      .select({ rev: kv.rev, createRev: kv.createRev, uid: kv.uid, value: log.value })
      .from(kv)
      .innerJoin(log, eq(log.rev, kv.rev))
      .where(eq(kv.key, p('key')))
      .prepare(),
    insertKey: db
      .insert(kv)
      .values({
        key: p('key'),
        rev: p('rev'),
        createRev: p('rev'),
        uid: p('uid'),
        expires: p('expires'),
      })
      .prepare(),
    updateKey: db
      .update(kv)
      .set({ rev: sql`${p('rev')}`, uid: sql`${p('uid')}`, expires: sql`${p('expires')}` })
      .where(eq(kv.key, p('key')))
      .prepare(),
    expiresOf: db
      .select({ expires: kv.expires })
      .from(kv)
      .where(eq(kv.key, p('key')))
      .prepare(),
    deleteKey: db
      .delete(kv)
      .where(eq(kv.key, p('key')))
      .prepare(),
    append: db
      .insert(log)
      .values({
        rev: p('rev'),
        key: p('key'),
        type: p('type'),
        createRev: p('createRev'),
        prevRev: p('prevRev'),
        value: p('value'),
      })
      .prepare(),
    metaSet: db
      .insert(meta)
      .values({ name: p('name'), value: p('value') })
      .onConflictDoUpdate({ target: meta.name, set: { value: sql`excluded.value` } })
      .prepare(),
  };
}

/** A write's outcome, and the event the hub gets once its batch commits. */
interface Applied {
  result: WriteResult;
  event?: LogEvent;
}

function eventOf(
  result: WriteResult,
  key: string,
  type: EventType,
  value: string,
): LogEvent | undefined {
  if (!result.ok) return undefined;
  return { rev: result.rev, key, type, value, prev: result.prev?.value };
}

/**
 * Whether a shard's keys expire: the Event shards, which serve both core/v1 and events.k8s.io/v1
 * Events (see storageResource).
 */
function expiringShard(name: string | undefined): boolean {
  return name !== undefined && shardResource(name) === 'events';
}

function eventTtlMs(seconds: string | undefined): number {
  const n = Number(seconds);
  return (Number.isFinite(n) && n > 0 ? n : DEFAULT_EVENT_TTL_SECONDS) * 1000;
}

function toEvent(r: {
  rev: number;
  key: string;
  type: number;
  value: string;
  prev: string | null;
}): LogEvent {
  const e: LogEvent = { rev: r.rev, key: r.key, type: r.type as EventType, value: r.value };
  if (r.prev !== null && r.prev !== undefined) e.prev = r.prev;
  return e;
}

function takeBatch(outbox: LogEvent[]): LogEvent[] {
  let bytes = 0;
  let n = 0;
  while (n < outbox.length && n < MAX_PAGE) {
    bytes += outbox[n].value.length + (outbox[n].prev?.length ?? 0);
    if (n > 0 && bytes > MAX_PAGE_BYTES) break;
    n++;
  }
  return outbox.splice(0, n);
}
