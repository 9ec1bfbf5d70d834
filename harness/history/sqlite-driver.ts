// The embedded store: one SQLite file under the cache (better-sqlite3, built from source against
// the system's Node headers). Chosen over PGlite by measurement: it opens in milliseconds where
// PGlite's WASM Postgres took seconds, which every `pvconform history` call would pay.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InfraError } from '../core/errors.ts';
import type { SqlDriver, SqlValue } from './driver.ts';

class SqliteDriver implements SqlDriver {
  readonly kind = 'embedded';
  private statements = new Map<string, Database.Statement>();
  private depth = 0;

  constructor(
    private db: Database.Database,
    readonly where: string,
  ) {}

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async all<T extends object>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    const s = this.prepare(sql);
    if (s.reader) s.all(...params);
    else s.run(...params);
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn(this);
    // IMMEDIATE: take the write lock now, so two writers queue (busy_timeout) instead of failing.
    this.db.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const out = await fn(this);
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.depth--;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export function openSqlite(file: string): SqlDriver {
  let db: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
  } catch (e) {
    throw new InfraError(`history file ${file}: cannot open (${e instanceof Error ? e.message : String(e)}). Fix: check the folder's permissions and free space, or give another --history.`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  return new SqliteDriver(db, file);
}
