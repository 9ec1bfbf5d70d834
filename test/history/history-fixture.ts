// Run directories for the history tests, one per day, in the format `pvconform run` writes
// (results.jsonl, plan.json, run.json, and retries.jsonl for a retried check). Input files only:
// every expected class is stated by the test from the states written here.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult, State } from '../../harness/core/results.ts';
import { writeRun, type FixtureCell } from '../reports/fixture-run.ts';

export interface HistoryRun {
  dir: string;
  id: string;
}

/** Writes run number `day` (1-31) of plan abcdef012345; `retried` adds later attempts. */
export async function writeDayRun(
  dir: string,
  day: number,
  cells: FixtureCell[],
  retried: { cell: string; check: string; states: State[] }[] = [],
): Promise<HistoryRun> {
  await writeRun(dir, cells);
  const stamp = `202601${String(day).padStart(2, '0')}`;
  const id = `abcdef012345-${stamp}T000000Z`;
  const startedAt = `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
  const results = (await readFile(join(dir, 'results.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ ...(JSON.parse(l) as CheckResult), run: id, startedAt }));
  await writeFile(join(dir, 'results.jsonl'), results.map((r) => JSON.stringify(r) + '\n').join(''));
  const summary = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, 'run.json'), JSON.stringify({ ...summary, run: id, startedAt, finishedAt: startedAt.replace('T00:00', 'T00:01') }) + '\n');
  for (const r of retried) {
    const first = results.find((x) => x.cell === r.cell && x.check === r.check);
    if (!first) throw new Error(`fixture: no ${r.cell} ${r.check} to retry`);
    for (const [i, state] of r.states.entries())
      await appendFile(join(dir, 'retries.jsonl'), JSON.stringify({ attempt: i + 2, result: { ...first, state, message: state === 'pass' ? 'as promised' : `${r.check} is ${state} again` } }) + '\n');
  }
  return { dir, id };
}
