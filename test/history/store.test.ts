// The history store against both of its databases: the embedded SQLite file and a real
// PostgreSQL server started for the test. Same questions, same answers.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { HistoryStore } from '../../harness/history/store.ts';
import { openHistory } from '../../harness/history/open.ts';
import { migrate } from '../../harness/history/migrate.ts';
import { MIGRATIONS } from '../../harness/history/schema.ts';
import { runRecordFromDir } from '../../harness/history/from-run-dir.ts';
import { scratch } from '../helpers/cli.ts';
import { startPostgres } from './pg-server.ts';
import { writeDayRun } from './history-fixture.ts';

t.setTimeout(180_000);

const CELL = 'linux-ref@qemu';
const cells = (states: Record<string, 'pass' | 'fail' | 'skip' | 'error'>) => [{ guest: 'linux-ref', hypervisor: 'qemu', states }];

async function exercise(t: Test, location: string): Promise<void> {
  const dir = scratch(t, 'pvconform-history-store-');
  // Day 1 all pass; day 2 net fails, blk fails then passes on a retry; day 3 net passes again.
  const d1 = await writeDayRun(join(dir, 'd1'), 1, cells({ 'virtio.4/net': 'pass', 'virtio.4/blk': 'pass', 'virtio.4/rng': 'skip' }));
  const d2 = await writeDayRun(join(dir, 'd2'), 2, cells({ 'virtio.4/net': 'fail', 'virtio.4/blk': 'fail', 'virtio.4/rng': 'skip' }), [{ cell: CELL, check: 'virtio.4/blk', states: ['pass'] }]);
  const d3 = await writeDayRun(join(dir, 'd3'), 3, cells({ 'virtio.4/net': 'pass', 'virtio.4/blk': 'pass', 'virtio.4/rng': 'skip' }));

  let store = await openHistory(location);
  t.teardown(() => store.close().catch(() => {}));
  const applied = await migrate(store.db);
  t.same(applied, [], 'migrations already applied on open are not applied again');
  const versions = await store.db.all<{ version: number }>('SELECT version FROM schema_migrations');
  t.same(versions.map((v) => Number(v.version)), MIGRATIONS.map((m) => m.version), 'schema_migrations lists every migration once');

  for (const d of [d1, d2, d3]) await store.record(await runRecordFromDir(d.dir));
  await store.record(await runRecordFromDir(d2.dir)); // recording again replaces, never doubles

  const runs = await store.listRuns();
  t.same(runs.map((r) => r.id), [d3.id, d2.id, d1.id], 'runs newest first');
  t.same(runs[1].counts, { pass: 2, fail: 1, skip: 1, error: 0 }, 'day 2: boot and blk (flaky, passed) pass, net fails, rng skips');
  t.equal(runs[1].flaky, 1, 'day 2 has one flaky check');

  const [net] = await store.timelines({ cell: CELL, check: 'virtio.4/net' });
  t.same(net.states.map((s) => s.state), ['pass', 'fail', 'pass'], "net's states over time, oldest first");
  t.equal(net.flipRate.toFixed(3), (2 / 3).toFixed(3), 'net flipped twice in three runs');
  const [blk] = await store.timelines({ check: 'virtio.4/blk' });
  t.same(blk.states.map((s) => [s.state, s.flaky]), [['pass', false], ['pass', true], ['pass', false]], 'blk passed each day, flaky on day 2');
  t.equal(blk.flakyRuns, 1);
  t.equal(blk.flipRate.toFixed(3), (1 / 3).toFixed(3), 'a flip within a run counts in the flip rate');
  const [rng] = await store.timelines({ check: 'virtio.4/rng' });
  t.equal(rng.flipRate, 0, 'skips are not flips');

  const passes = await store.lastPasses([CELL]);
  const byCheck = Object.fromEntries(passes.map((r) => [r.check, r.run]));
  t.same(byCheck, { 'boot/ssh': d3.id, 'virtio.4/net': d3.id, 'virtio.4/blk': d3.id }, 'last pass of each check: the newest run it passed in');
  const upTo2 = (await store.runResults(d2.id.slice(0, 24))).results;
  t.equal(upTo2.find((r) => r.check === 'virtio.4/blk')?.flaky, true, 'a run read back by a unique id prefix keeps its flaky mark');
  t.equal((await store.runResults('latest')).id, d3.id, 'latest is the newest run');
  await t.rejects(store.runResults('abcdef'), /more than one run/, 'an ambiguous prefix is refused');
  await t.rejects(store.runResults('nope'), /no run nope in the history/);

  const env = (await store.environmentOf(d1.id)) as { node: string; qemu: string | null };
  t.equal(env.node, process.version, 'the environment is recorded with the run');
  await store.close();

  // Reopening finds everything in place: the store is the file or the server, not the process.
  store = await openHistory(location);
  t.equal((await store.listRuns()).length, 3, 'three runs after reopening');
}

t.test('embedded SQLite file', async (t) => {
  await exercise(t, join(scratch(t, 'pvconform-history-file-'), 'h', 'history.sqlite'));
});

t.test('a real PostgreSQL server', async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  await exercise(t, server.url);
});

t.test('bad locations are refused with the fix', async (t) => {
  await t.rejects(openHistory('mysql://x/y'), /not a store pvconform knows.*Fix/);
  await t.rejects(openHistory('postgres://nobody@127.0.0.1:1/none'), /cannot connect.*Fix/);
});

t.test('a database from a newer pvconform is refused', async (t) => {
  const file = join(scratch(t, 'pvconform-history-new-'), 'h.sqlite');
  const store = await openHistory(file);
  t.teardown(() => store.close().catch(() => {}));
  await store.db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'now')");
  await t.rejects(HistoryStore.over(store.db), /schema version 99, newer than this pvconform knows/);
});
