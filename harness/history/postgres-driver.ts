// The shared store: a PostgreSQL server (`--history postgres://...`), so every CI shard of a team
// writes to one place. One connection per command; pvconform runs are short-lived.
import pg from 'pg';
import { InfraError } from '../core/errors.ts';
import { numberedPlaceholders, type SqlDriver, type SqlValue } from './driver.ts';

/** The URL as safe to print: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres';
  constructor(
    private client: pg.Client,
    readonly where: string,
  ) {}

  async all<T extends object>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    const r = await this.client.query(numberedPlaceholders(sql), params);
    return r.rows as T[];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.client.query(numberedPlaceholders(sql), params);
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const out = await fn(this);
      await this.client.query('COMMIT');
      return out;
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

export async function openPostgres(url: string): Promise<SqlDriver> {
  const where = redactUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A server that goes away mid-command surfaces on the next query; keep it from crashing us.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw new InfraError(`history database ${where}: cannot connect (${e instanceof Error ? e.message : String(e)}). Fix: start the server, or check the URL given to --history.`);
  }
  // Quiet the "relation already exists, skipping" notices of concurrent migrations.
  await client.query('SET client_min_messages TO warning');
  return new PostgresDriver(client, where);
}
