// pvconform run: config -> plan -> cells -> results -> reports.
import { Command, Option } from 'commander';
import { join, resolve } from 'node:path';
import { loadMatrix } from '../../config/load.ts';
import { makePlan } from '../../plan/plan.ts';
import { runPlan } from '../../run/run-plan.ts';
import { consoleProgress } from '../../run/progress.ts';
import { stopRunOnSignal } from '../../run/interrupt.ts';
import { printSummary } from '../../run/summary.ts';
import { finishers } from '../../run/finishers.ts';
import { UsageError } from '../../core/errors.ts';
import { baselineFile } from '../../history/run-ref.ts';
import { historyRecorder } from '../record-history.ts';
import { collectEnvironment } from '../../history/environment.ts';
import { defaultJobs } from '../../run/jobs.ts';
import { EXIT } from '../../core/exit-codes.ts';

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];

export function defaultOutDir(now = new Date()): string {
  return join('reports', now.toISOString().replace(/[:]/g, '-').replace(/\..*/, ''));
}

export function register(program: Command): void {
  program
    .command('run')
    .description('boot each cell (guest x hypervisor config), run its checks over SSH, write results and reports')
    .option('-c, --config <file>', 'matrix YAML file (default: the embedded QEMU + linux-ref + virtio.4 matrix)')
    .option('-o, --out <dir>', 'run directory (default: reports/<timestamp>/)')
    .option('--guest <name>', 'only these guests (repeatable or comma-separated)', collect)
    .option('--hypervisor <name>', 'only these hypervisor configs (repeatable)', collect)
    .option('--suite <name>', 'only these suites (repeatable)', collect)
    .option('--check <id>', 'only these checks: an id, suite/* or a suite name (repeatable)', collect)
    .addOption(new Option('--shard <i/n>', 'run the i-th of n stable slices of the cells'))
    .option('-j, --jobs <n>', 'cells to run at once (default: one per core, as free memory allows; each guest takes about one core under TCG)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs ${v}: not a whole number of 1 or more. Fix: e.g. --jobs 2`);
      return n;
    })
    .option('--baseline <dir|results.jsonl|run-id|last-pass>', 'classify results against an earlier run (regressions, fixed...): a run directory, a run id in the history, or last-pass (per check, the last run it passed in)')
    .option('--history <url|file>', 'record the run into this history store: a postgres:// URL or a SQLite file (default: .cache/history/history.sqlite)')
    .option('--retries <n>', 'rerun a failed or errored check up to n times, each in a fresh guest; failed-then-passed is flaky', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--retries ${v}: not a whole number of 0 or more. Fix: e.g. --retries 2`);
      return n;
    }, 0)
    .option('--expectations <file>', 'known failures (YAML) for --baseline')
    .option('--strict', 'with --baseline: any failure not in the expectations file is non-zero, old or new')
    .option('--allow-missing-images', `a cell without its image is skip and does not make the run "nothing checked" (exit ${EXIT.nothingChecked})`)
    .option('--summary-md <file>', 'also write a Markdown summary (matrix and regressions)')
    .action(async (opts) => {
      const { config, source } = await loadMatrix(opts.config);
      const plan = await makePlan(config, source, { guest: opts.guest, hypervisor: opts.hypervisor, suite: opts.suite, check: opts.check });
      const { cells, shard } = await selectShard(plan.cells, opts.shard);
      const runDir = resolve(opts.out ?? defaultOutDir());
      const record = await historyRecorder(opts.history, collectEnvironment(), (m) => process.stderr.write(`pvconform: ${m}\n`));
      opts.baseline = await baselineFile(opts.baseline, opts.history);
      const finish = await finishers({ summaryMd: opts.summaryMd, baseline: opts.baseline, expectations: opts.expectations, strict: opts.strict });
      finish.list.push(record);
      const controller = new AbortController();
      const interrupt = stopRunOnSignal((sig) => {
        process.stderr.write(`\npvconform: ${sig}: stopping (again to quit at once); results so far are in ${runDir}/results.jsonl\n`);
        controller.abort();
      });
      const outcome = await runPlan({
        plan,
        cells,
        jobs: opts.jobs ?? chooseJobs(cells),
        shard,
        runDir,
        signal: controller.signal,
        progress: consoleProgress(),
        finishers: finish.list,
        retries: opts.retries,
        allowMissingImages: opts.allowMissingImages === true,
      });
      printSummary(outcome);
      process.exitCode = interrupt.exitCode() ?? finish.exitCode(outcome.exitCode);
    });
}

function chooseJobs(cells: Parameters<typeof defaultJobs>[0]): number {
  const choice = defaultJobs(cells);
  if (cells.length > 1) process.stderr.write(`pvconform: --jobs ${choice.jobs} (${choice.why})\n`);
  return choice.jobs;
}

async function selectShard<T extends { id: string }>(cells: T[], spec: string | undefined): Promise<{ cells: T[]; shard: { index: number; count: number } | null }> {
  if (!spec) return { cells, shard: null };
  const { parseShard, shardCells } = await import('../../plan/shard.ts');
  const shard = parseShard(spec);
  return { cells: shardCells(cells, shard.index, shard.count), shard };
}
