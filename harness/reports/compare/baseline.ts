// Reading two runs and judging the second against the first: what `pvconform compare` and
// `pvconform run --baseline` share. The run's comparison is kept beside its results so the HTML
// report and the Markdown summary can show it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRun, type RunData } from '../../run-dir/read.ts';
import { UsageError } from '../../core/errors.ts';
import { classify, key, type Comparison } from './classify.ts';
import { loadExpectations } from './expectations.ts';
import { applyRetries, readRetries } from '../../run-dir/retry-log.ts';
import { isRunPath, readFromHistory } from '../../history/run-ref.ts';

export const COMPARISON_FILE = 'comparison.json';

/** One side of a comparison: a run directory or results.jsonl (with its retries applied), or a
 *  run in the history (an id, `latest`, or for the baseline `last-pass`). */
async function readSide(ref: string, opts: { history?: string; cellsOf?: RunData }): Promise<{ run: RunData; flaky: Set<string>; label: string }> {
  if (await isRunPath(ref)) {
    const run = await readRun(ref);
    const effective = applyRetries(run.results, await readRetries(run.dir));
    return { run: { ...run, results: effective.map((e) => e.result) }, flaky: new Set(effective.filter((e) => e.flaky).map((e) => key(e.result))), label: ref };
  }
  const h = await readFromHistory(ref, { history: opts.history, cells: opts.cellsOf ? [...new Set(opts.cellsOf.results.map((r) => r.cell))] : undefined });
  return { run: h.run, flaky: h.flaky, label: h.label };
}

export async function compareRuns(
  baselineRef: string,
  currentRef: string,
  opts: { expectationsFile?: string; history?: string } = {},
): Promise<{ comparison: Comparison; baseline: RunData; current: RunData }> {
  const expectations = opts.expectationsFile ? await loadExpectations(opts.expectationsFile) : [];
  if (currentRef === 'last-pass') throw new UsageError('last-pass is a baseline, not a run to judge. Fix: give it as the first argument (A), e.g. pvconform compare last-pass latest.');
  const current = await readSide(currentRef, opts);
  const baseline = await readSide(baselineRef, { ...opts, cellsOf: current.run });
  const comparison = classify(baseline.run.results, current.run.results, expectations, { baseline: baseline.label, current: current.label }, current.flaky);
  return { comparison, baseline: baseline.run, current: current.run };
}

/** For `run --baseline`: judges the finished run in runDir against the baseline (a run directory
 *  or a results.jsonl) and writes <runDir>/comparison.json. Call it before writeHtmlReport so the
 *  report shows the classes; pass the result to comparisonExitCode for the exit status. */
export async function compareRunToBaseline(
  runDir: string,
  baselinePath: string,
  opts: { expectationsFile?: string } = {},
): Promise<Comparison> {
  const { comparison } = await compareRuns(baselinePath, runDir, opts);
  await writeComparison(runDir, comparison);
  return comparison;
}

export async function writeComparison(runDir: string, c: Comparison): Promise<string> {
  const file = join(runDir, COMPARISON_FILE);
  await writeFile(file, JSON.stringify(c, null, 1) + '\n');
  return file;
}

/** The comparison kept in a run directory, or null when the run was not compared. */
export async function readComparison(runDir: string): Promise<Comparison | null> {
  const file = join(runDir, COMPARISON_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const c = JSON.parse(text) as Comparison;
    if (c.v !== 1 || !Array.isArray(c.entries)) throw new Error('shape');
    return c;
  } catch {
    throw new UsageError(`${file}: not a comparison written by pvconform. Fix: delete it, or write it again with pvconform compare --out-json.`);
  }
}
