// pvconform compare: judges a run against a baseline run, OSSTest-style (regression, fixed,
// failed before too, never passed, new check, error, expected), with an exit status for CI.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { compareRuns, writeComparison } from '../../reports/compare/baseline.ts';
import { comparisonExitCode } from '../../reports/compare/classify.ts';
import { formatComparison } from '../../reports/compare/format-text.ts';
import { renderMarkdownSummary } from '../../reports/markdown.ts';
import { writeHtmlReport } from '../../reports/html/write.ts';

interface CompareOptions {
  expectations?: string;
  strict?: boolean;
  json?: string;
  summaryMd?: string;
  annotate?: boolean;
  history?: string;
}

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'classify each result of run B against baseline run A. Exit 3 on a regression, 2 on an error (infrastructure), 0 when failures are old or expected',
    )
    .argument('<baseline>', 'the baseline (A): a run directory or results.jsonl, a run id in the history, latest, or last-pass (each check\'s newest passing result)')
    .argument('<current>', 'the new run (B): a run directory or results.jsonl, a run id in the history, or latest')
    .option('--history <url|file>', 'history store for run ids: a postgres:// URL or a SQLite file (default: .cache/history/history.sqlite)')
    .option('--expectations <file>', 'YAML list of known failures (check, guest, hypervisor, reason, link) that count as expected')
    .option('--strict', 'also exit 3 on failures that are old (failed before too, never passed, new failing checks); expected ones still pass')
    .option('--json <file>', 'write the classification as JSON')
    .option('--summary-md <file>', 'write the matrix and the regressions of B as GitHub-flavoured Markdown')
    .option('--annotate', "keep the classification in B's run directory (comparison.json) and rewrite its report.html to show it")
    .action(async (baseline: string, current: string, opts: CompareOptions) => {
      const { comparison, current: run } = await compareRuns(baseline, current, { expectationsFile: opts.expectations, history: opts.history });
      process.stdout.write(formatComparison(comparison));
      if (opts.json) await writeFile(opts.json, JSON.stringify(comparison, null, 1) + '\n');
      if (opts.summaryMd) await writeFile(opts.summaryMd, renderMarkdownSummary(run, comparison));
      if (opts.annotate) {
        if (run.dir === null) process.stderr.write(`pvconform compare: --annotate needs B to be a run directory; ${current} is a results file or a run in the history, left as is\n`);
        else {
          await writeComparison(run.dir, comparison);
          process.stdout.write(`${await writeHtmlReport(run.dir)}\n`);
        }
      }
      process.exitCode = comparisonExitCode(comparison, { strict: opts.strict });
    });
}
