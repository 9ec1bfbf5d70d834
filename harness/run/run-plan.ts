// A whole run: plan.json first, each cell in turn, then the reports. Results are already on
// disk as they arrive; the reports at the end are made from them.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Plan, Cell } from '../plan/plan.ts';
import { ResultSink } from '../results/sink.ts';
import { runCell, type CellFigures } from './run-cell.ts';
import { removeOnCleanup } from '../core/cleanup.ts';
import { closeProviders } from '../providers/registry.ts';
import { writeTap } from '../reports/tap.ts';
import { writeJunit } from '../reports/junit.ts';
import { exitCodeFor } from '../core/exit-codes.ts';
export { exitCodeFor };
import type { State } from '../core/results.ts';
import type { Progress } from './progress.ts';
import { retryFailedChecks, retriedTotals } from './retries.ts';
import { startCoreMeter, type CoreUse } from './cpu-meter.ts';

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
  await mkdir(runDir, { recursive: true });
  const startedAt = new Date();
  const run = `${plan.hash}-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  await writeFile(
    join(runDir, 'plan.json'),
    JSON.stringify(
      {
        v: 1,
        plan: plan.hash,
        source: plan.source,
        cells: cells.map((c) => ({ id: c.id, guest: c.guest.name, hypervisor: c.hypervisor.name, suites: c.suites })),
        checks: plan.checkIds,
        shard: opts.shard ?? null,
        createdAt: startedAt.toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  const sink = new ResultSink(runDir);
  sink.onResult((r) => progress.result(r));
  const workRoot = await mkdtemp(join(tmpdir(), 'pvconform-run-'));
  const unRemove = removeOnCleanup(workRoot);
  const figures: RunOutcome['figures'] = [];
  const coreMeter = startCoreMeter();
  let coreUse: CoreUse | undefined;
  try {
    // A small pool: each worker takes the next cell until none is left.
    let next = 0;
    const worker = async () => {
      while (next < cells.length && !opts.signal.aborted) {
        const cell = cells[next++];
        progress.cellStart(cell.id);
        const f = await runCell(cell, {
          run,
          plan: plan.hash,
          runDir,
          workRoot,
          sink,
          signal: opts.signal,
          log: (c, m) => progress.log(c, m),
          notice: (m) => progress.notice(m),
        });
        if (opts.retries) await retryFailedChecks(cell, opts.retries, { run, plan: plan.hash, runDir, workRoot, sink, signal: opts.signal, log: (c, m) => progress.log(c, m), notice: (m) => progress.notice(m) });
        figures.push({ cell: cell.id, ...f });
        progress.cellEnd(cell.id, f);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, cells.length)) }, worker));
    coreUse = coreMeter();
  } finally {
    await closeProviders();
    await rm(workRoot, { recursive: true, force: true });
    unRemove();
  }
  const totals = opts.retries ? await retriedTotals(runDir, sink.results) : sink.totals();
  const exitCode = exitCodeFor(totals);
  await writeTap(runDir, sink.results);
  await writeJunit(runDir, sink.results);
  await writeFile(join(runDir, 'run.json'), JSON.stringify({ run, plan: plan.hash, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), totals, exitCode, figures, coreUse }, null, 2) + '\n');
  for (const finish of opts.finishers ?? [])
    await finish(runDir).catch((e) => progress.notice(`a report writer failed (results are intact in results.jsonl): ${e instanceof Error ? e.message : e}`));
  return { runDir, totals, exitCode, figures, coreUse };
}
