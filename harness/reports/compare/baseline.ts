// Reading two runs and judging the second against the first: what `pvconform compare` and
// `pvconform run --baseline` share. The run's comparison is kept beside its results so the HTML
// report and the Markdown summary can show it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRun, type RunData } from '../../run-dir/read.ts';
import { UsageError } from '../../core/errors.ts';
import { classify, type Comparison } from './classify.ts';
import { loadExpectations } from './expectations.ts';

export const COMPARISON_FILE = 'comparison.json';

export async function compareRuns(
  baselinePath: string,
  currentPath: string,
  opts: { expectationsFile?: string } = {},
): Promise<{ comparison: Comparison; baseline: RunData; current: RunData }> {
  const expectations = opts.expectationsFile ? await loadExpectations(opts.expectationsFile) : [];
  const baseline = await readRun(baselinePath);
  const current = await readRun(currentPath);
  const comparison = classify(baseline.results, current.results, expectations, { baseline: baselinePath, current: currentPath });
  return { comparison, baseline, current };
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
