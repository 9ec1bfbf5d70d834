// Sharding (stable, complete, balanced) and merging shard outputs back into one run, with the
// refusals: different plans, the same shard twice, overlapping cells, missing shards.
import t, { type Test } from 'tap';
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseShard, shardCells } from '../../harness/plan/shard.ts';
import { mergeRuns } from '../../harness/reports/merge-shards.ts';
import { readRun } from '../../harness/run-dir/read.ts';
import { UsageError } from '../../harness/core/errors.ts';
import { EXIT } from '../../harness/core/exit-codes.ts';
import { largeMatrix, writeRun, type FixtureCell } from './fixture-run.ts';
import { pvconform, scratch } from '../helpers/cli.ts';

t.setTimeout(120_000);

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
const cellsNamed = (names: string[]) => names.map((id) => ({ id }));

t.test('shardCells: every cell in exactly one shard, balanced, stable', async (t) => {
  const cells = cellsNamed(['netbsd@qemu', 'linux-ref@qemu', 'openbsd@xen', 'linux-ref@xen', 'openbsd@qemu', 'netbsd@xen', 'linux-ref@hyperv', 'openbsd@hyperv', 'netbsd@hyperv', 'x@y']);
  for (let n = 1; n <= 12; n++) {
    const shards = Array.from({ length: n }, (_, i) => shardCells(cells, i + 1, n));
    const all = shards.flatMap(ids);
    t.equal(all.length, cells.length, `n=${n}: no cell twice`);
    t.same(new Set(all), new Set(ids(cells)), `n=${n}: every cell once`);
    const sizes = shards.map((s) => s.length);
    t.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: sizes ${sizes.join(',')} differ by at most one`);
    for (const s of shards) t.same(ids(s), ids(cells).filter((id) => ids(s).includes(id)), `n=${n}: a shard keeps the cells' order`);
  }
  const reversed = [...cells].reverse();
  for (let i = 1; i <= 3; i++)
    t.same(new Set(ids(shardCells(reversed, i, 3))), new Set(ids(shardCells(cells, i, 3))), `shard ${i}/3 depends on the ids only, not their order`);
  t.same(shardCells([], 1, 2), []);
  t.throws(() => shardCells(cells, 0, 2), RangeError);
  t.throws(() => shardCells(cells, 3, 2), RangeError);
});

t.test('parseShard: i/n, or a usage error naming the fix', async (t) => {
  t.same(parseShard('1/2'), { index: 1, count: 2 });
  t.same(parseShard(' 3 / 3 '), { index: 3, count: 3 });
  for (const [bad, why] of [['0/2', /index must be 1\.\.2/], ['3/2', /index must be 1\.\.2/], ['1/0', /count must be/], ['a/b', /not of the form i\/n/], ['2', /not of the form/], ['1/2/3', /not of the form/]] as const) {
    let e: unknown;
    try {
      parseShard(bad);
    } catch (err) {
      e = err;
    }
    t.ok(e instanceof UsageError, `${bad}: UsageError`);
    t.match((e as Error).message, why);
    t.match((e as Error).message, /Fix: give --shard as i\/n/);
  }
});

/** Writes the large matrix whole, and split into n shards as `run --shard i/n` would. */
async function wholeAndShards(dir: string, n: number) {
  const { planCells } = largeMatrix();
  const byId = (c: FixtureCell) => ({ id: `${c.guest}@${c.hypervisor}`, c });
  const whole = await writeRun(join(dir, 'whole'), planCells);
  const shardDirs: string[] = [];
  for (let i = 1; i <= n; i++) {
    const mine = shardCells(planCells.map(byId), i, n).map((x) => x.c);
    const d = join(dir, `shard-${i}`);
    await writeRun(d, mine, { shard: { index: i, count: n }, checks: whole.plan.checks });
    shardDirs.push(d);
  }
  return { whole, shardDirs };
}

const key = (r: { cell: string; check: string; state: string }) => `${r.cell} ${r.check} ${r.state}`;

t.test('merge: three shards give the results of the whole run', async (t) => {
  const dir = scratch(t);
  const { whole, shardDirs } = await wholeAndShards(dir, 3);
  const out = join(dir, 'merged');
  const m = await mergeRuns(out, [shardDirs[2], shardDirs[0], shardDirs[1]]);
  const merged = await readRun(out);
  t.same(merged.results.map(key).sort(), whole.results.map(key).sort(), 'same checks, same states');
  t.equal(merged.plan?.shard, null);
  t.equal(merged.plan?.plan, whole.plan.plan);
  t.same(new Set(merged.plan?.cells.map((c) => c.id)), new Set(whole.plan.cells.map((c) => c.id)), 'the union of the cells');
  for (const f of ['results.tap', 'junit.xml', 'report.html', 'run.json']) t.ok(existsSync(join(out, f)), `${f} written`);
  for (const c of whole.plan.cells) t.ok(existsSync(join(out, 'artifacts', c.id, 'console.log')), `artifacts of ${c.id} copied`);
  const tap = readFileSync(join(out, 'results.tap'), 'utf8');
  t.match(tap, new RegExp(`^1\\.\\.${whole.results.length}$`, 'm'));
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  t.equal(run.totals.error, whole.results.filter((r) => r.state === 'error').length);
  t.equal(run.exitCode, EXIT.failed, 'a fail among the results: exit 3, as run says');
  t.equal(m.exitCode, run.exitCode);
});

t.test('merge: a shard whose cells had no image keeps the merged run from going green', async (t) => {
  const dir = scratch(t);
  const cells: FixtureCell[] = [
    { guest: 'linux-ref', hypervisor: 'qemu', states: { 'virtio.4/disk': 'pass' } },
    { guest: 'openbsd', hypervisor: 'qemu', states: { 'boot/ssh': 'skip', 'virtio.4/disk': 'skip' } },
  ];
  const checks = ['virtio.4/disk'];
  const merge = async (name: string, allow: boolean) => {
    const a = join(dir, `${name}-1`);
    const b = join(dir, `${name}-2`);
    await writeRun(a, [cells[0]], { shard: { index: 1, count: 2 }, checks, summary: { cellsWithoutImage: 0, allowMissingImages: allow } });
    await writeRun(b, [cells[1]], { shard: { index: 2, count: 2 }, checks, summary: { cellsWithoutImage: 1, allowMissingImages: allow, exitCode: allow ? EXIT.ok : EXIT.nothingChecked } });
    return mergeRuns(join(dir, `${name}-merged`), [a, b]);
  };
  const strict = await merge('strict', false);
  t.equal(strict.exitCode, EXIT.nothingChecked, 'one cell without its image: exit 4, as that shard had');
  t.equal(JSON.parse(readFileSync(join(dir, 'strict-merged', 'run.json'), 'utf8')).cellsWithoutImage, 1, 'the merged run.json counts it');
  const allowed = await merge('allowed', true);
  t.equal(allowed.exitCode, EXIT.ok, 'every shard ran with --allow-missing-images: exit 0');
});

async function refusal(t: Test, p: Promise<unknown>, re: RegExp) {
  let e: unknown;
  try {
    await p;
  } catch (err) {
    e = err;
  }
  t.ok(e instanceof UsageError, 'a UsageError');
  t.match((e as Error)?.message, re);
}

t.test('merge refuses what is not one plan split once', async (t) => {
  const dir = scratch(t);
  const { shardDirs } = await wholeAndShards(dir, 2);
  const { planCells } = largeMatrix();
  await writeRun(join(dir, 'other-plan'), planCells.slice(0, 2), { plan: '0123456789ab', shard: { index: 2, count: 2 } });
  await refusal(t, mergeRuns(join(dir, 'o1'), [shardDirs[0], join(dir, 'other-plan')]), /other-plan is of plan 0123456789ab .* shards of different plans cannot be merged\. Fix:/);
  await refusal(t, mergeRuns(join(dir, 'o2'), [shardDirs[0], shardDirs[0]]), /shard 1\/2 is given twice/);
  await refusal(t, mergeRuns(join(dir, 'o3'), [shardDirs[0], join(dir, 'whole')]), /whole is a whole run \(not run with --shard\)/);
  // Same plan, both claim shard 1 of 2 under different directories: a duplicate index.
  await writeRun(join(dir, 'dup'), planCells.slice(0, 1), { shard: { index: 1, count: 2 } });
  await refusal(t, mergeRuns(join(dir, 'o4'), [shardDirs[0], join(dir, 'dup')]), /shard 1\/2 is given twice: .*shard-1 and .*dup/);
  // Different indexes that share a cell.
  const first = JSON.parse(readFileSync(join(shardDirs[0], 'plan.json'), 'utf8')).cells[0];
  await writeRun(join(dir, 'overlap'), planCells.filter((c) => `${c.guest}@${c.hypervisor}` === first.id), { shard: { index: 2, count: 2 } });
  await refusal(t, mergeRuns(join(dir, 'o5'), [shardDirs[0], join(dir, 'overlap')]), new RegExp(`cell ${first.id.replace(/\./g, '\\.')} is in both .* the shards overlap`));
  await writeRun(join(dir, 'three'), planCells.slice(0, 1), { shard: { index: 3, count: 3 } });
  await refusal(t, mergeRuns(join(dir, 'o6'), [shardDirs[0], join(dir, 'three')]), /is shard 3\/3 but .* is one of 2: the plan was split two ways/);
  await refusal(t, mergeRuns(join(dir, 'o7'), [shardDirs[0]]), /shard 2\/2 of plan abcdef012345 is missing\. Fix: give every shard's directory, or pass --allow-missing/);
  mkdirSync(join(dir, 'full'));
  writeFileSync(join(dir, 'full', 'x'), '');
  await refusal(t, mergeRuns(join(dir, 'full'), shardDirs), /--out .*full is not empty/);
  await refusal(t, mergeRuns(shardDirs[0], shardDirs), /is also an input/);
  mkdirSync(join(dir, 'noplan'));
  writeFileSync(join(dir, 'noplan', 'results.jsonl'), '');
  await refusal(t, mergeRuns(join(dir, 'o8'), [join(dir, 'noplan')]), /noplan has no plan\.json/);
});

t.test('pvconform merge: the CLI, --allow-missing, exit status', async (t) => {
  const dir = scratch(t);
  const { whole, shardDirs } = await wholeAndShards(dir, 2);
  const ok = await pvconform(['merge', '--out', join(dir, 'm'), ...shardDirs, '--summary-md', join(dir, 'm.md')]);
  t.equal(ok.exitCode, EXIT.ok, `merge itself succeeds (${ok.all})`);
  t.match(ok.stdout, new RegExp(`${whole.results.length} results from 2 shard\\(s\\)`));
  t.match(readFileSync(join(dir, 'm.md'), 'utf8'), /^## pvconform: /);
  const refused = await pvconform(['merge', '--out', join(dir, 'm2'), shardDirs[0]]);
  t.equal(refused.exitCode, EXIT.usage);
  t.match(refused.stderr, /shard 2\/2 .* is missing/);
  const partial = await pvconform(['merge', '--allow-missing', '--out', join(dir, 'm3'), shardDirs[1]]);
  t.equal(partial.exitCode, EXIT.ok, partial.all);
  t.match(partial.stderr, /warning: shards 1 missing/);
  const run = JSON.parse(readFileSync(join(dir, 'm3', 'run.json'), 'utf8'));
  t.same(run.missingShards, [1]);
  t.ok(run.exitCode >= EXIT.infra, 'a merged run with a shard missing does not exit 0');
});
