// Drizzle schema of a storage shard: kine's model, an append-only revision log plus a key index.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Every write appends one row. `value` is the object's JSON without metadata.resourceVersion (the
 * revision is the resourceVersion, set on read), so each version of an object is stored once.
 */
export const log = sqliteTable(
  'log',
  {
    rev: integer('rev').primaryKey(),
    key: text('key').notNull(),
    /** 0 = created, 1 = updated, 2 = deleted (value is the last state). */
    type: integer('type').notNull(),
    createRev: integer('create_rev').notNull(),
    /** Revision of the version this write replaced, 0 on create. */
    prevRev: integer('prev_rev').notNull(),
    value: text('value').notNull(),
  },
  (t) => [index('log_key_rev').on(t.key, t.rev)],
);

/**
 * The live keys: each points at the log row holding its current version. `expires` (ms since the
 * epoch) is the etcd lease analogue: set only in shards whose keys live for a TTL (Events), renewed
 * by every write, and the shard's alarm deletes the key once it passes. The index holds only keys
 * that expire, so other shards pay nothing for it.
 */
export const kv = sqliteTable(
  'kv',
  {
    key: text('key').primaryKey(),
    rev: integer('rev').notNull(),
    createRev: integer('create_rev').notNull(),
    uid: text('uid').notNull(),
    expires: integer('expires'),
  },
  (t) => [
    index('kv_expires')
      .on(t.expires)
      .where(sql`${t.expires} IS NOT NULL`),
  ],
);

/** Shard-wide facts: current revision, compacted revision, partition count. */
export const meta = sqliteTable('meta', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});
