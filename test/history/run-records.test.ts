// `pvconform run` with a real guest records itself into the history, judges itself against the
// last pass of each check, and reruns a failing check in a fresh guest with --retries. Day 1 the
// guest has its rng driver (entropy passes); day 2 the same guest is booted without it (an
// offered device with no driver: a real failure), so entropy regresses and the retry, in a
// fresh guest, fails again: a consistent failure, not flaky.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pvconform, readResults, byCheck, scratch, writeMatrix, qemuProcessesMentioning } from '../helpers/cli.ts';
import { openHistory } from '../../harness/history/open.ts';
import type { Comparison } from '../../harness/reports/compare/classify.ts';
import type { RetryLine } from '../../harness/run-dir/retry-log.ts';

t.setTimeout(900_000);

const matrix = (withoutRng: boolean) => `
hypervisors:
  - name: all
    provider: qemu
    accel: tcg
guests:
  - name: g
    image: linux-ref
    withoutDrivers: [${withoutRng ? 'virtio_rng' : ''}]
suites: [virtio.4]
`;

t.test('a real run recorded, judged against last-pass, and retried in a fresh guest', async (t) => {
  const dir = scratch(t, 'pvconform-history-run-');
  const history = join(dir, 'history.sqlite');
  const day1 = join(dir, 'day1');
  const r1 = await pvconform(['run', '--config', writeMatrix(dir, 'd1.yaml', matrix(false)), '--out', day1, '--check', 'virtio.4/entropy', '--history', history]);
  t.equal(r1.exitCode, 0, `day 1 passes\n${r1.all}`);
  t.ok(existsSync(join(day1, 'environment.json')), 'the environment is kept beside the results');

  const day2 = join(dir, 'day2');
  const r2 = await pvconform(['run', '--config', writeMatrix(dir, 'd2.yaml', matrix(true)), '--out', day2, '--check', 'virtio.4/entropy', '--history', history, '--baseline', 'last-pass', '--retries', '1']);
  t.equal(r2.exitCode, 3, `day 2: a regression exits 3\n${r2.all}`);
  // The first guest may itself fail to boot (a TCG guest on a loaded host has been seen to
  // panic at boot now and then): then the retry runs the whole cell, and boot/ssh is flaky.
  const first = byCheck(readResults(day2));
  const bootFlaked = first['boot/ssh'].state !== 'pass';
  t.equal(first['virtio.4/entropy'].state, bootFlaked ? 'skip' : 'fail', 'results.jsonl keeps the first attempt');
  t.match(r2.all, bootFlaked ? /attempt 2 of 2 in a fresh guest: the whole cell/ : /attempt 2 of 2 in a fresh guest: virtio\.4\/entropy/, 'the retry is announced');
  const retries = readFileSync(join(day2, 'retries.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RetryLine);
  t.same(
    retries.map((l) => [l.attempt, l.result.check, l.result.state]),
    [...(bootFlaked ? [[2, 'boot/ssh', 'pass']] : []), [2, 'virtio.4/entropy', 'fail']],
    'one retry in a fresh guest: entropy failed again',
  );
  t.match(retries.find((l) => l.result.check === 'virtio.4/entropy')?.result.message, /present but no driver attached/);
  const c = JSON.parse(readFileSync(join(day2, 'comparison.json'), 'utf8')) as Comparison;
  t.same(
    Object.fromEntries(c.entries.map((e) => [e.check, e.class])),
    { 'boot/ssh': bootFlaked ? 'flaky' : 'pass', 'virtio.4/entropy': 'regression' },
    'against the last pass: entropy regressed (and a boot that failed then passed is flaky, not a regression)',
  );
  if (bootFlaked) t.comment(`the first guest did not boot: ${first['boot/ssh'].message.split('\n')[0]}`);

  const store = await openHistory(history);
  t.teardown(() => store.close());
  const runs = await store.listRuns();
  t.equal(runs.length, 2, 'both runs recorded by pvconform run itself');
  t.same(runs[0].counts, { pass: 1, fail: 1, skip: 0, error: 0 });
  const attempts = await store.db.all<{ attempt: number; state: string }>("SELECT attempt, state FROM attempts WHERE check_id = 'virtio.4/entropy' ORDER BY attempt");
  t.same(attempts.map((a) => [Number(a.attempt), a.state]), [[1, bootFlaked ? 'skip' : 'fail'], [2, 'fail']], 'both attempts are in the history');
  const env = (await store.environmentOf(runs[0].id)) as { qemu: string | null; images: { name: string }[] };
  t.match(env.qemu, /QEMU emulator version/, 'the QEMU version is recorded');
  t.ok(env.images.some((i) => i.name === 'linux-ref'), 'the image key is recorded');
  const [entropy] = await store.timelines({ check: 'virtio.4/entropy' });
  t.same(entropy.states.map((s) => s.state), ['pass', 'fail']);
  t.same(qemuProcessesMentioning(dir), [], 'no QEMU left behind');
});
