// Brings a history database up to the newest schema: each migration not yet recorded in
// schema_migrations runs in its own transaction. On a shared server an advisory lock keeps two
// shards that start at once from migrating twice.
import type { SqlDriver } from './driver.ts';
import { MIGRATIONS, type Migration } from './schema.ts';
import { UsageError } from '../core/errors.ts';

const LOCK_ID = 7_310_001; // any constant of ours: the advisory lock's name

export async function migrate(db: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  if (db.kind === 'postgres') await db.run(`SELECT pg_advisory_lock(${LOCK_ID})`);
  try {
    await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const done = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const newest = Math.max(...migrations.map((m) => m.version));
    const future = [...done].filter((v) => v > newest);
    if (future.length > 0)
      throw new UsageError(
        `history database ${db.where}: has schema version ${Math.max(...future)}, newer than this pvconform knows (${newest}). Fix: use a newer pvconform, or another --history.`,
      );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await db.transaction(async (tx) => {
        for (const s of m.statements) await tx.run(s);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      });
      applied.push(m.version);
    }
    return applied;
  } finally {
    if (db.kind === 'postgres') await db.run(`SELECT pg_advisory_unlock(${LOCK_ID})`);
  }
}
