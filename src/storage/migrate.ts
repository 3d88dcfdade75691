// Applies drizzle-kit's generated SQL migrations (migrations/) to a shard's SQLite, once each, in order.
import migrations from '../../migrations/migrations.js';

/**
 * drizzle-kit writes a journal plus one .sql file per migration, statements split by
 * "--> statement-breakpoint". Each migration runs in one synchronous transaction and is recorded by
 * its journal tag, so a restart never re-applies it and a failure names the statement that failed.
 */
export function applyMigrations(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  sql.exec(
    'CREATE TABLE IF NOT EXISTS _migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const done = new Set(
    sql
      .exec<{ tag: string }>('SELECT tag FROM _migrations')
      .toArray()
      .map((r) => r.tag),
  );
  for (const entry of migrations.journal.entries) {
    if (done.has(entry.tag)) continue;
    const text = migrations.migrations[`m${String(entry.idx).padStart(4, '0')}`];
    if (text === undefined)
      throw new Error(`migration ${entry.tag} is in the journal but its SQL is missing`);
    storage.transactionSync(() => {
      for (const stmt of text.split('--> statement-breakpoint')) {
        if (!stmt.trim()) continue;
        try {
          sql.exec(stmt);
        } catch (e) {
          throw new Error(
            `migration ${entry.tag} failed at: ${stmt.trim().slice(0, 120)}: ${(e as Error).message}`,
          );
        }
      }
      sql.exec('INSERT INTO _migrations (tag, applied_at) VALUES (?, ?)', entry.tag, entry.when);
    });
  }
}
