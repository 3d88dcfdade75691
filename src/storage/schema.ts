// Drizzle schema of a storage shard: kine's model, an append-only revision log plus a key index.
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

/** The live keys: each points at the log row holding its current version. */
export const kv = sqliteTable('kv', {
  key: text('key').primaryKey(),
  rev: integer('rev').notNull(),
  createRev: integer('create_rev').notNull(),
  uid: text('uid').notNull(),
});

/** Shard-wide facts: current revision, compacted revision, partition count. */
export const meta = sqliteTable('meta', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});
