// writeHtmlReport: <run>/report.html from the run's own files. `pvconform run` calls it at the
// end, `pvconform report` and `pvconform merge` call it again.
import { readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readRun } from '../../run-dir/read.ts';
import { UsageError } from '../../core/errors.ts';
import { readComparison } from '../compare/baseline.ts';
import { loadCitedPages } from './man-pages.ts';
import { buildReportData } from './report-data.ts';
import { renderReportHtml } from './page.ts';

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

/** Writes <runDir>/report.html from results.jsonl, plan.json, run.json and comparison.json (the
 *  last three when present) and returns its path. */
export async function writeHtmlReport(runDir: string): Promise<string> {
  const run = await readRun(runDir);
  if (run.dir === null)
    throw new UsageError(`${runDir}: is a results file, and report.html is written into a run directory. Fix: give the run directory (or its results.jsonl).`);
  runDir = run.dir;
  const comparison = await readComparison(runDir);
  const pages = await loadCitedPages(run.results, runDir);
  const cellIds = new Set([...(run.plan?.cells.map((c) => c.id) ?? []), ...run.results.map((r) => r.cell)]);
  const files: Record<string, string[]> = {};
  for (const id of cellIds) files[id] = await cellFiles(runDir, id);
  const file = join(runDir, REPORT_FILE);
  await writeFile(file, renderReportHtml(buildReportData(run, { comparison, pages, files })));
  return file;
}
