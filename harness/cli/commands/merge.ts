// pvconform merge: joins the run directories of `run --shard i/n` into one run directory.
import type { Command } from 'commander';
import { mergeRuns } from '../../reports/merge-shards.ts';
import { writeMarkdownSummary } from '../../reports/markdown.ts';

export function register(program: Command): void {
  program
    .command('merge')
    .description('join the shards of one plan (pvconform run --shard i/n) into one run: results, plan, TAP, JUnit, HTML, artifacts')
    .argument('<shard-dir...>', "each shard's run directory")
    .requiredOption('-o, --out <dir>', 'the merged run directory (new or empty)')
    .option('--allow-missing', 'merge even when some shards of the plan are not given (the merged run then exits 2)')
    .option('--summary-md <file>', 'also write the merged matrix as GitHub-flavoured Markdown to this file')
    .action(async (dirs: string[], opts: { out: string; allowMissing?: boolean; summaryMd?: string }) => {
      const m = await mergeRuns(opts.out, dirs, { allowMissing: opts.allowMissing });
      if (m.missingShards.length > 0) process.stderr.write(`pvconform merge: warning: shards ${m.missingShards.join(', ')} missing; their cells are not in ${m.dir}\n`);
      if (opts.summaryMd) await writeMarkdownSummary(m.dir, opts.summaryMd);
      process.stdout.write(`${m.results.length} results from ${dirs.length} shard(s) -> ${m.dir}\n`);
    });
}
