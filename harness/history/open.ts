// Where the history is: `--history` (or $PVCONFORM_HISTORY) as a postgres:// URL or a file path;
// by default a SQLite file in the repository's cache, with nothing to start.
import { resolve } from 'node:path';
import { HistoryStore } from './store.ts';
import { UsageError } from '../core/errors.ts';

export function defaultHistoryFile(): string {
  return resolve(import.meta.dirname, '..', '..', '.cache', 'history', 'history.sqlite');
}

/** The --history value, the environment's, or the default file. */
export function historyLocation(spec?: string): string {
  return spec ?? process.env.PVCONFORM_HISTORY ?? defaultHistoryFile();
}

export async function openHistory(spec?: string): Promise<HistoryStore> {
  const where = historyLocation(spec);
  if (/^postgres(ql)?:\/\//.test(where)) {
    const { openPostgres } = await import('./postgres-driver.ts');
    return HistoryStore.over(await openPostgres(where));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where))
    throw new UsageError(`--history ${where}: not a store pvconform knows. Fix: give a postgres:// URL or a file path (the default is ${defaultHistoryFile()}).`);
  const { openSqlite } = await import('./sqlite-driver.ts');
  return HistoryStore.over(openSqlite(resolve(where)));
}
