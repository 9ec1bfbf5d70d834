// A scripted history through the CLI, with both stores: day 1 all pass; day 2 net fails (a
// regression) and blk fails then passes on a retry (flaky, not a regression); day 3 net passes
// again (fixed). Each is classified by `pvconform compare` against the history, and
// `pvconform history` shows the states over time and the flip rates.
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pvconform, scratch } from '../helpers/cli.ts';
import { startPostgres } from './pg-server.ts';
import { writeDayRun } from './history-fixture.ts';
import type { Comparison } from '../../harness/reports/compare/classify.ts';
import { baselineFile } from '../../harness/history/run-ref.ts';
import { readRun } from '../../harness/run-dir/read.ts';

t.setTimeout(240_000);

const CELL = 'linux-ref@qemu';
const day = (net: 'pass' | 'fail', blk: 'pass' | 'fail') => [{ guest: 'linux-ref', hypervisor: 'qemu', states: { 'virtio.4/net': net, 'virtio.4/blk': blk, 'virtio.4/rng': 'pass' as const } }];

async function script(t: Test, history: string): Promise<void> {
  const dir = scratch(t, 'pvconform-history-cli-');
  const d1 = await writeDayRun(join(dir, 'd1'), 1, day('pass', 'pass'));
  const d2 = await writeDayRun(join(dir, 'd2'), 2, day('fail', 'fail'), [{ cell: CELL, check: 'virtio.4/blk', states: ['pass'] }]);
  const d3 = await writeDayRun(join(dir, 'd3'), 3, day('pass', 'pass'));

  const rec = await pvconform(['history', 'record', d1.dir, d2.dir, '--history', history]);
  t.equal(rec.exitCode, 0, rec.all);
  t.match(rec.all, `recorded ${d2.id} (4 results)`);

  // Day 2 against the last pass of each check: net regressed, blk is flaky.
  const json = join(dir, 'day2.json');
  const c2 = await pvconform(['compare', 'last-pass', d2.id, '--history', history, '--json', json]);
  t.equal(c2.exitCode, 3, `a regression exits 3\n${c2.all}`);
  const classes = (file: string) => Object.fromEntries((JSON.parse(readFileSync(file, 'utf8')) as Comparison).entries.map((e) => [e.check, e.class]));
  t.same(classes(json), { 'boot/ssh': 'pass', 'virtio.4/net': 'regression', 'virtio.4/blk': 'flaky', 'virtio.4/rng': 'pass' }, 'day 2: net regression, blk flaky');
  t.match(c2.all, /REGRESSION\s+linux-ref@qemu\s+virtio\.4\/net\s+\(pass -> fail\)/);
  t.match(c2.all, /FLAKY \(FAILED, THEN PASSED ON A RETRY\)\s+linux-ref@qemu\s+virtio\.4\/blk/);

  // The same judgement from the run folder as B (its retries.jsonl read) and the history as A.
  const c2dir = await pvconform(['compare', 'last-pass', d2.dir, '--history', history, '--json', json]);
  t.equal(c2dir.exitCode, 3, c2dir.all);
  t.same(classes(json), { 'boot/ssh': 'pass', 'virtio.4/net': 'regression', 'virtio.4/blk': 'flaky', 'virtio.4/rng': 'pass' }, 'a folder B reads the same');

  // Day 3 against day 2 by run id: net fixed.
  t.equal((await pvconform(['history', 'record', d3.dir, '--history', history])).exitCode, 0);
  const c3 = await pvconform(['compare', d2.id, 'latest', '--history', history, '--json', json]);
  t.equal(c3.exitCode, 0, `a fix exits 0\n${c3.all}`);
  t.same(classes(json), { 'boot/ssh': 'pass', 'virtio.4/net': 'fixed', 'virtio.4/blk': 'pass', 'virtio.4/rng': 'pass' }, 'day 3: net fixed');

  const list = await pvconform(['history', '--history', history]);
  t.equal(list.exitCode, 0, list.all);
  const lines = list.stdout.split('\n').filter(Boolean);
  t.same(lines.map((l) => l.split(/\s+/)[0]), [d3.id, d2.id, d1.id], 'runs newest first');
  t.match(lines[1], /pass 3 fail 1 skip 0 error 0\s+flaky 1/, 'day 2: blk counted as passed, and flaky');

  const blk = await pvconform(['history', '--cell', CELL, '--check', 'virtio.4/blk', '--history', history]);
  t.match(blk.stdout, /linux-ref@qemu\s+virtio\.4\/blk\s+PfP\s+flip rate 33% \(3 runs, flaky in 1\)/, "blk's states over time: the flaky day is f");
  const net = await pvconform(['history', '--check', 'virtio.4/net', '--history', history, '--json']);
  const timelines = (JSON.parse(net.stdout) as { timelines: { states: { state: string }[]; flipRate: number }[] }).timelines;
  t.same(timelines[0].states.map((s) => s.state), ['pass', 'fail', 'pass']);
  t.equal(timelines[0].flipRate.toFixed(2), '0.67', 'net flipped in 2 of 3 runs');

  // What `run --baseline <run id>` and `--baseline last-pass` read: written out before the run.
  const byId = await readRun((await baselineFile(d2.id, history))!);
  t.same(byId.results.map((r) => `${r.check}=${r.state}`).sort(), ['boot/ssh=pass', 'virtio.4/blk=pass', 'virtio.4/net=fail', 'virtio.4/rng=pass'], '--baseline <run id>: that run\'s final states');
  const lastPass = await readRun((await baselineFile('last-pass', history))!);
  t.same([...new Set(lastPass.results.map((r) => r.run))], [d3.id], '--baseline last-pass: each check\'s newest pass (all on day 3 here)');
  t.equal(await baselineFile(d1.dir, history), d1.dir, 'a folder is used as it is');

  // A report redrawn later shows each square's states up to its own run, not the runs after it.
  const redrawn = await pvconform(['report', d2.dir, '--history', history]);
  t.equal(redrawn.exitCode, 0, redrawn.all);
  const embedded = /<script type="application\/json" id="pvconform-data">(.*?)<\/script>/s.exec(readFileSync(join(d2.dir, 'report.html'), 'utf8'))![1];
  const strips = (JSON.parse(embedded) as { strips: Record<string, { state: string; flaky: boolean }[]> | null }).strips;
  t.same(strips?.[`${CELL}|virtio.4/net`]?.map((s) => s.state), ['pass', 'fail'], 'report --history: net\'s strip is day 1 and day 2, not day 3');
  t.same(strips?.[`${CELL}|virtio.4/blk`]?.map((s) => s.flaky), [false, true], 'and blk on day 2 is flaky');
  t.equal((await pvconform(['report', d2.dir])).exitCode, 0);
  t.equal(JSON.parse(/<script type="application\/json" id="pvconform-data">(.*?)<\/script>/s.exec(readFileSync(join(d2.dir, 'report.html'), 'utf8'))![1]).strips, null, 'without --history: no strips');

  const bad = await pvconform(['compare', 'nosuchrun', 'latest', '--history', history]);
  t.equal(bad.exitCode, 1, 'an unknown run id is a usage error');
  t.match(bad.stderr, /nosuchrun: no such run directory or results file, and no run nosuchrun in the history .*Fix: give a run directory, or a run id listed by pvconform history/);
}

t.test('embedded store (SQLite file)', async (t) => {
  await script(t, join(scratch(t, 'pvconform-history-db-'), 'history.sqlite'));
});

t.test('PostgreSQL server', async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  await script(t, server.url);
});

t.test('run refuses a bad --history before anything boots', async (t) => {
  const dir = scratch(t, 'pvconform-history-bad-');
  const unknown = await pvconform(['run', '--out', join(dir, 'a'), '--history', 'mysql://h/db']);
  t.equal(unknown.exitCode, 1, `an unknown store is a usage error\n${unknown.all}`);
  t.match(unknown.stderr, /--history mysql:\/\/h\/db: not a store pvconform knows\. Fix:/);
  const down = await pvconform(['run', '--out', join(dir, 'b'), '--history', 'postgres://nobody@127.0.0.1:1/none']);
  t.equal(down.exitCode, 2, `an unreachable server is an environment error\n${down.all}`);
  t.match(down.stderr, /history database postgres:\/\/nobody@127\.0\.0\.1:1\/none: cannot connect .*Fix:/);
  t.notOk(existsSync(join(dir, 'a')) || existsSync(join(dir, 'b')), 'no run was started');
});
