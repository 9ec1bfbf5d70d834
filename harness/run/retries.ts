// --retries N: after a cell, its failed or errored checks run again in a fresh guest, up to N
// more times, until they pass. results.jsonl keeps the first attempt as it arrived; the later
// attempts go to retries.jsonl, and a check that failed and then passed is flaky, not a failure.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cell } from '../plan/plan.ts';
import type { CheckResult, State } from '../core/results.ts';
import { ResultSink } from '../results/sink.ts';
import { BOOT_CHECK } from '../core/results.ts';
import { cellDirName, runCell, type CellRunContext } from './run-cell.ts';
import { appendRetry, applyRetries, effectiveTotals, readRetries } from '../run-dir/retry-log.ts';

const needsRetry = (s: State) => s === 'fail' || s === 'error';

export async function retryFailedChecks(cell: Cell, times: number, ctx: CellRunContext): Promise<void> {
  let failing = new Set(ctx.sink.results.filter((r) => r.cell === cell.id && needsRetry(r.state)).map((r) => r.check));
  for (let attempt = 2; attempt <= times + 1 && failing.size > 0 && !ctx.signal.aborted; attempt++) {
    // A guest that did not boot ran none of its checks: the retry runs them all.
    const whole = failing.has(BOOT_CHECK);
    const checks = whole ? cell.checks : cell.checks.filter((c) => failing.has(c.id));
    const dir = join(ctx.runDir, 'retries', cellDirName(cell.id), String(attempt));
    await mkdir(dir, { recursive: true });
    const sink = new ResultSink(dir);
    ctx.log(cell.id, `attempt ${attempt} of ${times + 1} in a fresh guest: ${whole ? 'the whole cell' : [...failing].join(', ')}`);
    await runCell({ ...cell, checks }, { ...ctx, runDir: dir, sink });
    const next = new Set<string>();
    for (const r of sink.results) {
      if (!whole && !failing.has(r.check)) continue; // the boot check of a cell that booted before
      await appendRetry(ctx.runDir, { attempt, result: r });
      ctx.log(cell.id, `attempt ${attempt}: ${r.state} ${r.check}`);
      if (needsRetry(r.state)) next.add(r.check);
    }
    failing = next;
  }
}

/** The run's totals by final state (a flaky check counts as its last attempt: pass). */
export async function retriedTotals(runDir: string, first: CheckResult[]): Promise<Record<State, number>> {
  return effectiveTotals(applyRetries(first, await readRetries(runDir)));
}
