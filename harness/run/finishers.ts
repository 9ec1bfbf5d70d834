// Writers that run after the results are complete: the baseline comparison (first: the HTML
// report shows it), the HTML report, the Markdown summary. Each reads the run directory, so a
// failing writer costs nothing already measured.
import { writeHtmlReport } from '../reports/html/write.ts';
import { compareRunToBaseline } from '../reports/compare/baseline.ts';
import { comparisonExitCode, type Comparison } from '../reports/compare/classify.ts';
import { loadExpectations } from '../reports/compare/expectations.ts';
import { writeMarkdownSummary } from '../reports/markdown.ts';
import { readRun } from '../run-dir/read.ts';

export interface FinisherOptions {
  summaryMd?: string;
  baseline?: string;
  expectations?: string;
  strict?: boolean;
}

export interface Finishers {
  list: Array<(runDir: string) => Promise<unknown>>;
  /** With a baseline, the run's exit status follows the comparison (an old failure is not news). */
  exitCode(fallback: number): number;
}

/** Validates the inputs now, before anything boots, and returns the writers to run at the end. */
export async function finishers(opts: FinisherOptions): Promise<Finishers> {
  if (opts.expectations) await loadExpectations(opts.expectations);
  if (opts.baseline) await readRun(opts.baseline);
  let comparison: Comparison | null = null;
  const list: Finishers['list'] = [];
  if (opts.baseline)
    list.push(async (d) => {
      comparison = await compareRunToBaseline(d, opts.baseline!, { expectationsFile: opts.expectations });
    });
  list.push(writeHtmlReport);
  if (opts.summaryMd) list.push((d) => writeMarkdownSummary(d, opts.summaryMd!, comparison));
  return {
    list,
    exitCode: (fallback) => (comparison ? comparisonExitCode(comparison, { strict: opts.strict }) : fallback),
  };
}
