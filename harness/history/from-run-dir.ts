// A run directory as a history record: results.jsonl (first attempts) with retries.jsonl applied,
// plan.json's cells, run.json's figures and environment.json.
import { readRun } from '../run-dir/read.ts';
import { applyRetries, readRetries } from '../run-dir/retry-log.ts';
import { UsageError } from '../core/errors.ts';
import { collectEnvironment, loadEnvironment } from './environment.ts';
import type { RunRecord } from './records.ts';

export async function runRecordFromDir(path: string): Promise<RunRecord> {
  const run = await readRun(path);
  const first = run.results[0];
  if (!first) throw new UsageError(`${path}: has no results to record. Fix: give a run directory whose results.jsonl is not empty.`);
  const effective = applyRetries(run.results, await readRetries(run.dir));
  const figures = (run.summary as { figures?: unknown[] } | null)?.figures;
  const cells = run.plan?.cells ?? [...new Map(run.results.map((r) => [r.cell, { id: r.cell, guest: r.guest, hypervisor: r.hypervisor, suites: [] as string[] }])).values()];
  return {
    id: run.summary?.run ?? first.run,
    plan: run.plan?.plan ?? first.plan,
    source: run.plan?.source ?? null,
    startedAt: run.summary?.startedAt ?? run.plan?.createdAt ?? first.startedAt,
    finishedAt: run.summary?.finishedAt ?? null,
    exitCode: run.summary?.exitCode ?? null,
    shard: run.plan?.shard ?? null,
    runDir: run.dir,
    environment: (run.dir ? await loadEnvironment(run.dir) : null) ?? (await collectEnvironment()),
    figures: Array.isArray(figures) ? figures : [],
    cells: cells.map((c) => ({ id: c.id, guest: c.guest, hypervisor: c.hypervisor, suites: c.suites })),
    results: effective.map(({ result: r, flaky, attempts }) => ({
      cell: r.cell, check: r.check, suite: r.suite, guest: r.guest, hypervisor: r.hypervisor, state: r.state, flaky,
      message: r.message, citation: r.citation, durationMs: r.durationMs, startedAt: r.startedAt, attempts,
    })),
  };
}
