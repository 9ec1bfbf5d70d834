// A run named on the command line: a run directory or results.jsonl on disk, or else a run in the
// history: its id (or a unique prefix), `latest`, or `last-pass` (per cell and check, the newest
// result that passed: the baseline OSSTest judges a flight against).
import { stat, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { RunData } from '../run-dir/read.ts';
import { openHistory } from './open.ts';

const key = (r: { cell: string; check: string }) => `${r.cell}\u0000${r.check}`;

/** A path on disk (it exists, or it is written as one: run ids have no slash); else a history reference. */
export async function isRunPath(ref: string): Promise<boolean> {
  if (ref.includes('/') || ref.endsWith('.jsonl')) return true;
  return stat(ref).then(() => true, () => false);
}

export async function readFromHistory(
  ref: string,
  opts: { history?: string; cells?: string[] } = {},
): Promise<{ run: RunData; flaky: Set<string>; label: string }> {
  const store = await openHistory(opts.history);
  try {
    if (ref === 'last-pass') {
      const results = await store.lastPasses(opts.cells);
      const label = `last pass of each check (history ${store.where})`;
      return { run: { dir: null, resultsFile: label, results, plan: null, summary: null, warnings: [] }, flaky: new Set(), label };
    }
    const { id, results } = await store.runResults(ref);
    const label = `run ${id} (history ${store.where})`;
    return {
      run: { dir: null, resultsFile: label, results: results.map(({ flaky: _f, ...r }) => r), plan: null, summary: null, warnings: [] },
      flaky: new Set(results.filter((r) => r.flaky).map(key)),
      label,
    };
  } finally {
    await store.close();
  }
}

/** For `run --baseline`: a path is used as is; a history reference is read now, before the run
 *  is recorded, into a results.jsonl that lives until the process ends. */
export async function baselineFile(ref: string | undefined, history?: string): Promise<string | undefined> {
  if (ref === undefined || (await isRunPath(ref))) return ref;
  const { run } = await readFromHistory(ref, { history });
  const dir = await mkdtemp(join(tmpdir(), `pvconform-baseline-${ref.replace(/[^\w.-]/g, '_')}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'results.jsonl');
  await writeFile(file, run.results.map((r) => JSON.stringify(r)).join('\n') + (run.results.length ? '\n' : '')).catch(async (e) => {
    await rm(dir, { recursive: true, force: true });
    throw e;
  });
  return file;
}
