// The little a history store needs from a SQL database, so one store works over the embedded
// file and over a PostgreSQL server. Statements are written once with `?` placeholders.

export type SqlValue = string | number | null;

export interface SqlDriver {
  /** 'embedded' (a file under the cache) or 'postgres' (a shared server). */
  readonly kind: 'embedded' | 'postgres';
  /** Where it is, for messages: a file path, or the server URL without its password. */
  readonly where: string;
  all<T extends object>(sql: string, params?: SqlValue[]): Promise<T[]>;
  run(sql: string, params?: SqlValue[]): Promise<void>;
  /** Runs fn inside one transaction (committed when fn resolves, rolled back when it throws). */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` placeholders as PostgreSQL's `$1, $2...` (our statements carry no literal question marks). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
