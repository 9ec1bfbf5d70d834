// pvconform report: (re)writes a run directory's report.html, and optionally a Markdown summary.
import type { Command } from 'commander';
import { writeHtmlReport } from '../../reports/html/write.ts';
import { writeMarkdownSummary } from '../../reports/markdown.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description("write a run directory's report.html (matrix, each cell's checks, citations, artifacts) again from its results")
    .argument('<run-dir>', 'a directory written by pvconform run or pvconform merge')
    .option('--summary-md <file>', 'also write the matrix and the regressions as GitHub-flavoured Markdown to this file')
    .option('--history [url|file]', "show each square's last states from this history store, up to this run (no value: the default store, .cache/history/history.sqlite or $PVCONFORM_HISTORY)")
    .action(async (runDir: string, opts: { summaryMd?: string; history?: string | true }) => {
      const history = opts.history === undefined ? undefined : { location: opts.history === true ? undefined : opts.history };
      const html = await writeHtmlReport(runDir, { history });
      process.stdout.write(`${html}\n`);
      if (opts.summaryMd) process.stdout.write(`${await writeMarkdownSummary(runDir, opts.summaryMd)}\n`);
    });
}
