// A whole run: plan.json first, each cell in turn, then the reports. Results are already on
// disk as they arrive; the reports at the end are made from them.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Plan, Cell } from '../plan/plan.ts';
import { ResultSink } from '../results/sink.ts';
import { resultOf, runCell, type CellDeps, type CellFigures } from './run-cell.ts';
import { BOOT_CHECK } from '../core/results.ts';
import type { Outcome } from './cell-outcome.ts';
import { UsageError, describe } from '../core/errors.ts';
import { isOutputFailure, outputError } from '../results/output-error.ts';
import { removeOnCleanup } from '../core/cleanup.ts';
import { closeProviders } from '../providers/registry.ts';
import { writeTap } from '../reports/tap.ts';
import { writeJunit } from '../reports/junit.ts';
import { EXIT, exitCodeFor } from '../core/exit-codes.ts';
export { exitCodeFor };
import type { State } from '../core/results.ts';
import type { Progress } from './progress.ts';
import { retryFailedChecks, retriedTotals } from './retries.ts';
import { startCoreMeter, type CoreUse } from './cpu-meter.ts';
import { writeWhole } from '../core/write-whole.ts';

export interface RunOptions {
  plan: Plan;
  /** Only these cells (a shard); defaults to all of the plan's. */
  cells?: Cell[];
  shard?: { index: number; count: number } | null;
  runDir: string;
  signal: AbortSignal;
  progress: Progress;
  /** Cells run at once (each QEMU picks its own SSH port, so they never race). */
  jobs?: number;
  /** What cells boot and talk to (the real providers and SSH; test doubles in tests). */
  cellDeps?: CellDeps;
  /** Cells without their image do not make the run "nothing checked" (exit 4). */
  allowMissingImages?: boolean;
  /** Extra writers run at the end (HTML, Markdown...), each given the run directory. */
  finishers?: Array<(runDir: string) => Promise<unknown>>;
  /** Reruns of a failed or errored check, each in a fresh guest (retries.ts). */
  retries?: number;
}

export interface RunOutcome {
  runDir: string;
  totals: Record<State, number>;
  exitCode: number;
  figures: Array<{ cell: string } & CellFigures>;
  /** How busy the host's cores were while the cells ran. */
  coreUse?: CoreUse;
}


export async function runPlan(opts: RunOptions): Promise<RunOutcome> {
  const { plan, runDir, progress } = opts;
  const cells = opts.cells ?? plan.cells;
  const output = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (e) {
      throw outputError(runDir, e, what);
    }
  };
  await output('the run folder', () => mkdir(runDir, { recursive: true }));
  const startedAt = new Date();
  const run = `${plan.hash}-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  const planJson = {
    v: 1,
    plan: plan.hash,
    source: plan.source,
    cells: cells.map((c) => ({ id: c.id, guest: c.guest.name, hypervisor: c.hypervisor.name, suites: c.suites })),
    checks: plan.checkIds,
    shard: opts.shard ?? null,
    createdAt: startedAt.toISOString(),
  };
  await output('plan.json', () => writeWhole(join(runDir, 'plan.json'), JSON.stringify(planJson, null, 2) + '\n'));
  const sink = new ResultSink(runDir);
  sink.onResult((r) => progress.result(r));
  const workRoot = await mkdtemp(join(tmpdir(), 'pvconform-run-'));
  const unRemove = removeOnCleanup(workRoot);
  const figures: RunOutcome['figures'] = [];
  const coreMeter = startCoreMeter();
  let coreUse: CoreUse | undefined;
  let stopRun: unknown = null;
  try {
    // A small pool: each worker takes the next cell until none is left.
    let next = 0;
    const worker = async () => {
      while (next < cells.length && !opts.signal.aborted && !stopRun) {
        const cell = cells[next++];
        progress.cellStart(cell.id);
        const ctx = { run, plan: plan.hash, runDir, workRoot, sink, signal: opts.signal, log: (c: string, m: string) => progress.log(c, m), notice: (m: string) => progress.notice(m) };
        const started = Date.now();
        try {
          const f = await runCell(cell, ctx, opts.cellDeps);
          if (opts.retries) await retryFailedChecks(cell, opts.retries, ctx);
          figures.push({ cell: cell.id, ...f });
          progress.cellEnd(cell.id, f);
        } catch (e) {
          // A cell that could not even record its results stops the run (a full disk, a bad
          // config found late); anything else is the harness's own bug in that one cell: its
          // unrecorded checks are error below, and the next cell still runs.
          if (e instanceof UsageError || isOutputFailure(e)) {
            stopRun = e;
            return;
          }
          progress.notice(`${cell.id}: harness error: ${describe(e)}`);
          fillMissing(sink, [cell], ctx, { state: 'error', message: `not run: harness error in this cell (${describe(e)})` });
          figures.push({ cell: cell.id, bootToSshMs: null, cellMs: Date.now() - started, checkMs: [], noImage: false });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, cells.length)) }, worker));
    coreUse = coreMeter();
    if (stopRun instanceof UsageError) throw stopRun;
    if (stopRun) throw outputError(runDir, stopRun, 'results.jsonl');
    // Cells never started (Ctrl-C): each of their planned checks still gets its one result.
    const ctx = { run, plan: plan.hash, runDir };
    if (opts.signal.aborted) fillMissing(sink, cells, ctx, { state: 'error', message: 'not run: the run was interrupted' });
  } finally {
    sink.close();
    await closeProviders();
    await rm(workRoot, { recursive: true, force: true });
    unRemove();
  }
  const totals = opts.retries ? await retriedTotals(runDir, sink.results) : sink.totals();
  const cellsWithoutImage = figures.filter((f) => f.noImage).length;
  // An empty shard (more shards than cells) planned nothing, so it lost nothing: not a red run.
  const emptyShard = cells.length === 0 && opts.shard != null;
  const exitCode = emptyShard ? EXIT.ok : exitCodeFor({ ...totals, cellsWithoutImage, allowMissingImages: opts.allowMissingImages });
  if (exitCode === EXIT.nothingChecked)
    progress.notice(cellsWithoutImage && !opts.allowMissingImages ? `${cellsWithoutImage} cell(s) could not run on this host (no image, or a need such as KVM; see their boot/ssh): nothing was checked there (exit ${EXIT.nothingChecked}; --allow-missing-images accepts that)` : `no check passed or failed: nothing was checked (exit ${EXIT.nothingChecked})`);
  await output('results.tap', () => writeTap(runDir, sink.results));
  await output('junit.xml', () => writeJunit(runDir, sink.results));
  await output('run.json', () => writeWhole(join(runDir, 'run.json'), JSON.stringify({ run, plan: plan.hash, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), totals, exitCode, cellsWithoutImage, allowMissingImages: opts.allowMissingImages === true, figures, coreUse }, null, 2) + '\n'));
  for (const finish of opts.finishers ?? [])
    await finish(runDir).catch((e) => {
      if (isOutputFailure(e)) throw outputError(runDir, e, 'a report');
      progress.notice(`a report writer failed (results are intact in results.jsonl): ${describe(e)}`);
    });
  return { runDir, totals, exitCode, figures, coreUse };
}

/** Gives every planned check of `cells` that has no result yet the one it is owed. */
function fillMissing(sink: ResultSink, cells: Cell[], ctx: { run: string; plan: string; runDir: string }, outcome: Outcome): void {
  const seen = new Set(sink.results.map((r) => `${r.cell}\u0000${r.check}`));
  for (const cell of cells)
    for (const check of [null, ...cell.checks]) {
      const id = check?.id ?? BOOT_CHECK;
      if (seen.has(`${cell.id}\u0000${id}`)) continue;
      sink.add(resultOf(ctx, cell, check, outcome, Date.now()));
    }
}
