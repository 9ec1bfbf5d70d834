// For real: the default matrix run whole, and run as two shards merged back, give the same
// checks with the same states. (With the embedded default of one cell, shard 2/2 is empty: the
// merge must still recognise it as the other half of the same plan.)
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRun } from '../../harness/run-dir/read.ts';
import { EXIT } from '../../harness/core/exit-codes.ts';
import { pvconform, scratch, qemuProcessesMentioning } from '../helpers/cli.ts';

t.setTimeout(300_000);

const runHelp = await pvconform(['run', '--help']);
const noRun = runHelp.exitCode !== 0 && `pvconform run is not available here (exit ${runHelp.exitCode})`;

t.test('two shards of the default matrix merge into the results of one whole run', { skip: noRun }, async (t) => {
  const dir = scratch(t);
  const key = (r: { cell: string; check: string; state: string }) => `${r.cell} ${r.check} ${r.state}`;
  const whole = await pvconform(['run', '--out', join(dir, 'whole')]);
  t.ok([EXIT.ok, EXIT.failed].includes(whole.exitCode as 0 | 3), `whole run: exit ${whole.exitCode}`);
  for (const i of [1, 2]) {
    const r = await pvconform(['run', '--shard', `${i}/2`, '--out', join(dir, `shard-${i}`)]);
    t.equal(r.exitCode, i === 1 ? whole.exitCode : EXIT.ok, `shard ${i}/2: exit ${r.exitCode}`);
  }
  const merged = await pvconform(['merge', '--out', join(dir, 'merged'), join(dir, 'shard-2'), join(dir, 'shard-1')]);
  t.equal(merged.exitCode, EXIT.ok, merged.all);

  const a = await readRun(join(dir, 'whole'));
  const b = await readRun(join(dir, 'merged'));
  t.ok(a.results.length > 1, `${a.results.length} results in the whole run`);
  t.same(b.results.map(key).sort(), a.results.map(key).sort(), 'same checks, same states');
  t.equal(b.plan?.plan, a.plan?.plan, 'the same plan');
  t.same(b.plan?.cells.map((c) => c.id).sort(), a.plan?.cells.map((c) => c.id).sort(), 'the same cells');
  t.equal(b.summary?.exitCode, a.summary?.exitCode, 'the same verdict');
  for (const f of ['results.tap', 'junit.xml', 'report.html']) t.ok(existsSync(join(dir, 'merged', f)), `merged ${f}`);
  for (const c of a.plan!.cells) t.ok(existsSync(join(dir, 'merged', 'artifacts', c.id, 'console.log')), `${c.id}: console log copied`);

  const cmp = await pvconform(['compare', join(dir, 'whole'), join(dir, 'merged')]);
  t.equal(cmp.exitCode, EXIT.ok, `compare whole -> merged: nothing changed (${cmp.stdout.split('\n')[2]})`);
  t.notMatch(cmp.stdout, /REGRESSION|ERROR|MISSING|NEW CHECK/);
  t.same(qemuProcessesMentioning(dir), [], 'no QEMU left running');
});
