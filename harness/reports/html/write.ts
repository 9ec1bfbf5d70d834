// writeHtmlReport: <run>/report.html from the run's own files. `pvconform run` calls it at the
// end, `pvconform report` and `pvconform merge` call it again.
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readRun } from '../../run-dir/read.ts';
import { UsageError } from '../../core/errors.ts';
import { readComparison } from '../compare/baseline.ts';
import { loadCitedPages } from './man-pages.ts';
import { buildReportData, type Strip } from './report-data.ts';
import { renderReportHtml } from './page.ts';
import { manualCoverage } from './manual-coverage.ts';
import { applyRetries, readRetries } from '../../run-dir/retry-log.ts';
import { openHistory } from '../../history/open.ts';
import type { CheckResult } from '../../core/results.ts';
import { writeWhole } from '../../core/write-whole.ts';

export const REPORT_FILE = 'report.html';
/** Enough for any real cell; a runaway directory is not listed file by file. */
const MAX_FILES_PER_CELL = 500;

/** Files under <run>/artifacts/<cell>/, relative to the run directory. */
async function cellFiles(runDir: string, cellId: string): Promise<string[]> {
  const root = join(runDir, 'artifacts', cellId);
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(runDir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort()
    .slice(0, MAX_FILES_PER_CELL);
}

/** States a square shows in its strip. */
export const STRIP_LENGTH = 10;

/** Each square's last states in the history, up to this run (a report redrawn later does not
 *  show runs that came after it). */
async function historyStrips(location: string | undefined, results: CheckResult[], runStartedAt: string | null): Promise<Record<string, Strip>> {
  const store = await openHistory(location);
  try {
    const cells = new Set(results.map((r) => r.cell));
    const strips: Record<string, Strip> = {};
    for (const t of await store.timelines({ limit: STRIP_LENGTH * 4 })) {
      if (!cells.has(t.cell)) continue;
      const upTo = t.states.filter((s) => runStartedAt === null || s.startedAt <= runStartedAt).slice(-STRIP_LENGTH);
      strips[`${t.cell}|${t.check}`] = upTo.map((s) => ({ run: s.run, state: s.state, flaky: s.flaky }));
    }
    return strips;
  } finally {
    await store.close();
  }
}

/** Writes <runDir>/report.html from results.jsonl (with retries.jsonl applied), plan.json,
 *  run.json and comparison.json (the last three when present) and returns its path. With
 *  `history`, each square also shows its recent states from that store. */
export async function writeHtmlReport(runDir: string, opts: { history?: { location?: string } } = {}): Promise<string> {
  const first = await readRun(runDir);
  if (first.dir === null)
    throw new UsageError(`${runDir}: is a results file, and report.html is written into a run directory. Fix: give the run directory (or its results.jsonl).`);
  runDir = first.dir;
  const effective = applyRetries(first.results, await readRetries(runDir));
  const run = { ...first, results: effective.map((e) => e.result) };
  const flaky = effective.filter((e) => e.flaky).map((e) => `${e.result.cell}|${e.result.check}`);
  const strips = opts.history ? await historyStrips(opts.history.location, run.results, run.summary?.startedAt ?? null) : null;
  const comparison = await readComparison(runDir);
  const pages = await loadCitedPages(run.results, runDir);
  const cellIds = new Set([...(run.plan?.cells.map((c) => c.id) ?? []), ...run.results.map((r) => r.cell)]);
  const files: Record<string, string[]> = {};
  for (const id of cellIds) files[id] = await cellFiles(runDir, id);
  const file = join(runDir, REPORT_FILE);
  await writeWhole(file, renderReportHtml(buildReportData(run, { comparison, pages, files, flaky, strips, manual: manualCoverage(pages, run.results) })));
  return file;
}
