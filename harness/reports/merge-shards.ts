// Joins the run directories of a sharded plan (`run --shard i/n` on several CI runners) into one
// run directory, as if the plan had run whole: results, plan, TAP, JUnit, HTML and artifacts.
// Shards of different plans, the same shard twice, or overlapping cells are refused.
import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { CheckResult } from '../core/results.ts';
import { countStates } from './matrix.ts';
import { exitCodeFor } from '../core/exit-codes.ts';
import { EXIT } from '../core/exit-codes.ts';
import { writeTap } from './tap.ts';
import { writeJunit } from './junit.ts';
import { writeHtmlReport } from './html/write.ts';
import { readRun, type PlanFile, type RunData } from '../run-dir/read.ts';
import { writeWhole } from '../core/write-whole.ts';

export interface ShardRun {
  dir: string;
  plan: PlanFile;
  run: RunData;
}

export interface MergeOutcome {
  dir: string;
  results: CheckResult[];
  /** Shard indexes of the plan that were not given (only with allowMissing). */
  missingShards: number[];
  exitCode: number;
}

const FIX = 'Fix: give the output directories of one `pvconform run --shard i/n` plan (same config and filters), each shard once.';

/** Pure: checks that the inputs are distinct shards of one plan and returns them in shard order,
 *  with the shard indexes that are missing. Throws UsageError naming the directories. */
export function checkShards(inputs: ShardRun[], opts: { allowMissing?: boolean } = {}): { ordered: ShardRun[]; missing: number[] } {
  if (inputs.length === 0) throw new UsageError(`merge: no run directories given. ${FIX}`);
  const first = inputs[0];
  for (const s of inputs.slice(1))
    if (s.plan.plan !== first.plan.plan)
      throw new UsageError(
        `merge: ${s.dir} is of plan ${s.plan.plan} (${s.plan.source}) but ${first.dir} is of plan ${first.plan.plan} (${first.plan.source}): shards of different plans cannot be merged. ${FIX}`,
      );
  const whole = inputs.find((s) => s.plan.shard === null);
  if (whole && inputs.length > 1)
    throw new UsageError(`merge: ${whole.dir} is a whole run (not run with --shard), so it overlaps every other input. ${FIX}`);
  const count = first.plan.shard?.count ?? 1;
  for (const s of inputs)
    if (s.plan.shard && s.plan.shard.count !== count)
      throw new UsageError(`merge: ${s.dir} is shard ${s.plan.shard.index}/${s.plan.shard.count} but ${first.dir} is one of ${count}: the plan was split two ways. ${FIX}`);
  const byIndex = new Map<number, ShardRun>();
  for (const s of inputs) {
    const index = s.plan.shard?.index ?? 1;
    const other = byIndex.get(index);
    if (other) throw new UsageError(`merge: shard ${index}/${count} is given twice: ${other.dir} and ${s.dir}. ${FIX}`);
    byIndex.set(index, s);
  }
  const owner = new Map<string, string>();
  for (const s of inputs) {
    const planned = new Set(s.plan.cells.map((c) => c.id));
    for (const id of planned) {
      const other = owner.get(id);
      if (other) throw new UsageError(`merge: cell ${id} is in both ${other} and ${s.dir}: the shards overlap. ${FIX}`);
      owner.set(id, s.dir);
    }
    const stray = s.run.results.find((r) => !planned.has(r.cell) || r.plan !== s.plan.plan);
    if (stray)
      throw new UsageError(
        `merge: ${s.run.resultsFile} has a result of cell ${stray.cell} (plan ${stray.plan}) that its plan.json does not list: the directory mixes runs. Fix: run the shard again into an empty directory.`,
      );
  }
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0 && !opts.allowMissing)
    throw new UsageError(
      `merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} of plan ${first.plan.plan} ${missing.length > 1 ? 'are' : 'is'} missing. Fix: give every shard's directory, or pass --allow-missing to merge what there is (the merged run then exits 2).`,
    );
  return { ordered: [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s), missing };
}

export async function readShard(dir: string): Promise<ShardRun> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`merge: ${dir} is not a directory. ${FIX}`);
  const run = await readRun(dir);
  if (!run.plan) throw new UsageError(`merge: ${dir} has no plan.json, so its plan cannot be checked. Fix: give directories written by pvconform run --shard i/n.`);
  return { dir, plan: run.plan, run };
}

async function checkOutDir(out: string, inputs: string[]): Promise<void> {
  const abs = resolve(out);
  const clash = inputs.find((d) => resolve(d) === abs);
  if (clash) throw new UsageError(`merge: --out ${out} is also an input. Fix: write the merged run to a new directory.`);
  const entries = await readdir(abs).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw new UsageError(`merge: --out ${out}: ${e.code}. Fix: give a new or empty directory.`);
  });
  if (entries.length > 0) throw new UsageError(`merge: --out ${out} is not empty. Fix: give a new or empty directory, so the merged run is not mixed with other files.`);
}

const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\..*/, '');

export async function mergeRuns(outDir: string, inputDirs: string[], opts: { allowMissing?: boolean } = {}): Promise<MergeOutcome> {
  await checkOutDir(outDir, inputDirs);
  const shards: ShardRun[] = [];
  for (const d of inputDirs) shards.push(await readShard(d));
  const { ordered, missing } = checkShards(shards, opts);
  const first = ordered[0].plan;

  await mkdir(outDir, { recursive: true });
  const results = ordered.flatMap((s) => s.run.results);
  const createdAt = ordered.map((s) => s.plan.createdAt).sort()[0];
  const plan: PlanFile = { v: 1, plan: first.plan, source: first.source, cells: ordered.flatMap((s) => s.plan.cells), checks: first.checks, shard: null, createdAt };
  await writeWhole(join(outDir, 'plan.json'), JSON.stringify(plan, null, 2) + '\n');
  await writeWhole(join(outDir, 'results.jsonl'), results.map((r) => JSON.stringify(r) + '\n').join(''));
  for (const s of ordered) {
    const from = join(s.dir, 'artifacts');
    if (await stat(from).catch(() => null)) await cp(from, join(outDir, 'artifacts'), { recursive: true, errorOnExist: true, force: false });
  }
  await writeTap(outDir, results);
  await writeJunit(outDir, results);

  const totals = countStates(results);
  const summaries = ordered.map((s) => s.run.summary);
  const unfinished = ordered.filter((s) => s.run.summary === null).map((s) => s.dir);
  // A missing or unfinished shard means results are missing: the environment's fault, as in run.
  // A shard's cells that had no image make the merged run not green, as they made that shard,
  // unless every shard was run accepting that (--allow-missing-images).
  const finished = summaries.filter((x) => x !== null);
  const cellsWithoutImage = finished.reduce((n, x) => n + (x.cellsWithoutImage ?? 0), 0);
  const allowMissingImages = finished.length > 0 && finished.every((x) => x.allowMissingImages === true);
  const byTotals = exitCodeFor({ ...totals, cellsWithoutImage, allowMissingImages });
  const exitCode = missing.length > 0 || unfinished.length > 0 ? Math.max(byTotals, EXIT.infra) : byTotals;
  const starts = [createdAt, ...summaries.flatMap((s) => (s ? [s.startedAt] : []))].sort();
  const ends = summaries.flatMap((s) => (s ? [s.finishedAt] : [])).sort();
  await writeWhole(
    join(outDir, 'run.json'),
    JSON.stringify(
      {
        run: `${first.plan}-${compact(starts[0])}-merged`,
        plan: first.plan,
        startedAt: starts[0],
        finishedAt: ends.at(-1) ?? starts[0],
        totals,
        exitCode,
        cellsWithoutImage,
        allowMissingImages,
        mergedFrom: ordered.map((s) => ({ dir: resolve(s.dir), shard: s.plan.shard, run: s.run.summary?.run ?? null })),
        missingShards: missing,
        unfinishedShards: unfinished,
      },
      null,
      2,
    ) + '\n',
  );
  await writeHtmlReport(outDir);
  return { dir: outDir, results, missingShards: missing, exitCode };
}
