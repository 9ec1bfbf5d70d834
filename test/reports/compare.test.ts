// Baseline comparison: every class on pairs of runs, the expectations file, and the CLI's exit
// status (non-zero on a regression or an error, zero on old or expected failures, --strict).
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, comparisonExitCode, type ResultClass } from '../../harness/reports/compare/classify.ts';
import { findExpectation, parseExpectations } from '../../harness/reports/compare/expectations.ts';
import { UsageError } from '../../harness/core/errors.ts';
import { EXIT } from '../../harness/core/exit-codes.ts';
import type { State } from '../../harness/core/results.ts';
import { result, writeRun, type FixtureCell } from './fixture-run.ts';
import { pvconform, scratch } from '../helpers/cli.ts';

t.setTimeout(180_000); // a dozen CLI runs, each starting tsx

const GEN2 = `knownFailures:
  - check: hyperv.4/*
    hypervisor: hyperv-gen2
    reason: "hyperv(4) CAVEATS: Generation 2 Virtual Machines are currently not supported."
    link: https://man.openbsd.org/hyperv.4#CAVEATS
`;

// One pair of runs with one check per class. "before" undefined = not in the baseline.
const CASES: { check: string; before?: State; now: State; want: ResultClass }[] = [
  { check: 'virtio.4/a', before: 'pass', now: 'pass', want: 'pass' },
  { check: 'virtio.4/b', before: 'fail', now: 'pass', want: 'fixed' },
  { check: 'virtio.4/c', before: 'pass', now: 'fail', want: 'regression' },
  { check: 'virtio.4/d', before: 'fail', now: 'fail', want: 'failed-before' },
  { check: 'virtio.4/e', before: 'skip', now: 'fail', want: 'never-passed' },
  { check: 'virtio.4/f', before: 'error', now: 'fail', want: 'never-passed' },
  { check: 'virtio.4/g', now: 'pass', want: 'new-check' },
  { check: 'virtio.4/h', before: 'pass', now: 'error', want: 'error' },
  { check: 'virtio.4/i', before: 'pass', now: 'skip', want: 'skip' },
  { check: 'virtio.4/j', before: 'error', now: 'pass', want: 'pass' },
];

function pair(cell = 'openbsd-7.8@qemu') {
  const baseline = CASES.filter((c) => c.before).map((c) => result(cell, c.check, c.before!));
  const current = CASES.map((c) => result(cell, c.check, c.now));
  return { baseline, current };
}

t.test('classify: one check per class against the baseline', async (t) => {
  const { baseline, current } = pair();
  baseline.push(result('openbsd-7.8@qemu', 'virtio.4/gone', 'pass'));
  const c = classify(baseline, current);
  for (const k of CASES) t.equal(c.entries.find((e) => e.check === k.check)?.class, k.want, `${k.check}: ${k.before ?? 'absent'} -> ${k.now} is ${k.want}`);
  t.equal(c.entries.find((e) => e.check === 'virtio.4/gone')?.class, 'missing', 'in the baseline, absent from the same cell now: missing');
  t.equal(c.counts['never-passed'], 2);
  t.equal(c.entries.length, CASES.length + 1);
  t.equal(comparisonExitCode(c), EXIT.failed, 'a regression exits 3');
});

t.test('classify: expected failures, stale expectations, other cells', async (t) => {
  const exp = parseExpectations(GEN2, 'gen2.yaml');
  const baseline = [result('openbsd-7.8@hyperv-gen2', 'hyperv.4/attach', 'pass'), result('netbsd-10.1@xen', 'boot/ssh', 'pass')];
  const current = [
    result('openbsd-7.8@hyperv-gen2', 'hyperv.4/attach', 'fail'), // was pass: would be a regression
    result('openbsd-7.8@hyperv-gen2', 'hyperv.4/kvp', 'fail'), // new check, but expected
    result('openbsd-7.8@hyperv-gen2', 'hyperv.4/vmbus', 'error'), // an error stays an error
    result('openbsd-7.8@hyperv-gen1', 'hyperv.4/attach', 'fail'), // other config: not covered
    result('openbsd-7.8@hyperv-gen2', 'hyperv.4/pool', 'pass'), // listed, yet passes
  ];
  const c = classify(baseline, current, exp);
  const cls = (cell: string, check: string) => c.entries.find((e) => e.cell === cell && e.check === check)?.class;
  t.equal(cls('openbsd-7.8@hyperv-gen2', 'hyperv.4/attach'), 'expected');
  t.equal(c.entries.find((e) => e.check === 'hyperv.4/attach' && e.class === 'expected')?.expectation?.link, 'https://man.openbsd.org/hyperv.4#CAVEATS');
  t.equal(cls('openbsd-7.8@hyperv-gen2', 'hyperv.4/kvp'), 'expected');
  t.equal(cls('openbsd-7.8@hyperv-gen2', 'hyperv.4/vmbus'), 'error');
  t.equal(cls('openbsd-7.8@hyperv-gen1', 'hyperv.4/attach'), 'new-check');
  t.same(c.unexpectedPasses.map((u) => u.check), ['hyperv.4/pool']);
  t.same(c.cellsOnlyInBaseline, ['netbsd-10.1@xen'], 'a cell this run did not have is not judged');
});

t.test('exit status: regression 3, error 2, old and expected failures 0, --strict', async (t) => {
  const only = (before: State | undefined, now: State, exp: string[] = []) => {
    const b = before ? [result('g@h', 'virtio.4/x', before)] : [];
    const known = exp.length ? parseExpectations(`knownFailures:\n  - check: virtio.4/x\n    reason: known\n    link: https://example.org/bug/1\n`, 'e.yaml') : [];
    return classify(b, [result('g@h', 'virtio.4/x', now)], known);
  };
  t.equal(comparisonExitCode(only('pass', 'fail')), EXIT.failed, 'regression');
  t.equal(comparisonExitCode(only('pass', 'error')), EXIT.infra, 'error');
  t.equal(comparisonExitCode(only('fail', 'fail')), EXIT.ok, 'failed before too');
  t.equal(comparisonExitCode(only('skip', 'fail')), EXIT.ok, 'never passed');
  t.equal(comparisonExitCode(only(undefined, 'fail')), EXIT.ok, 'a new check that fails');
  t.equal(comparisonExitCode(only('fail', 'fail'), { strict: true }), EXIT.failed, 'strict: failed before too');
  t.equal(comparisonExitCode(only(undefined, 'fail'), { strict: true }), EXIT.failed, 'strict: new failing check');
  t.equal(comparisonExitCode(only('pass', 'fail', ['known']), { strict: true }), EXIT.ok, 'strict: expected still passes');
  t.equal(comparisonExitCode(only('pass', 'pass'), { strict: true }), EXIT.ok);
});

t.test('expectations: patterns and message filter', async (t) => {
  const list = parseExpectations(
    `knownFailures:\n  - check: "*/attach"\n    guest: openbsd-*\n    messageContains: Generation 2\n    reason: r\n    link: http://example.org/\n`,
    'e.yaml',
  );
  const r = (guest: string, check: string, message: string) => ({ guest, hypervisor: 'hv', check, message });
  t.ok(findExpectation(list, r('openbsd-7.8', 'hyperv.4/attach', 'Generation 2 VM')));
  t.notOk(findExpectation(list, r('netbsd-10.1', 'hyperv.4/attach', 'Generation 2 VM')), 'guest pattern');
  t.notOk(findExpectation(list, r('openbsd-7.8', 'hyperv.4/attach', 'something else')), 'another failure still counts');
  t.notOk(findExpectation(list, r('openbsd-7.8', 'hyperv.4/attachment', 'Generation 2 VM')), 'a pattern matches whole ids');
});

t.test('expectations: a bad file names file, field and fix', async (t) => {
  const bad: [string, RegExp][] = [
    ['knownFailures:\n  - check: a/b\n    reasn: x\n    link: https://x.org/\n', /bad\.yaml: field knownFailures\[0\]: unknown key "reasn"\. Fix: remove or correct it/],
    ['knownFailures:\n  - check: a/b\n    link: https://x.org/\n', /field knownFailures\[0\]\.reason: missing\. Fix: add reason/],
    ['knownFailures:\n  - check: a/b\n    reason: x\n    link: javascript:alert(1)\n', /field knownFailures\[0\]\.link: not valid\. Fix: give an http\(s\) URL/],
    ['knownFailures:\n  - check: a/b\n    reason: "  "\n    link: https://x.org/\n', /field knownFailures\[0\]\.reason: not valid\. Fix: say why/],
    ['knownFailures: [1]\n', /field knownFailures\[0\]: expected object\. Fix: each entry is a mapping/],
    ['nothing: here\n', /field \(top level\): unknown key "nothing"/],
    ['', /field knownFailures: missing\. Fix: the file is a list under "knownFailures"/],
    ['knownFailures: [\n', /bad\.yaml:\d+:\d+: not valid YAML/],
  ];
  for (const [text, re] of bad) {
    let thrown: unknown;
    try {
      parseExpectations(text, 'bad.yaml');
    } catch (e) {
      thrown = e;
    }
    t.ok(thrown instanceof UsageError, `${JSON.stringify(text)}: a UsageError`);
    t.match((thrown as Error)?.message, re);
  }
});

const cellsOf = (states: Record<string, State>): FixtureCell[] => [{ guest: 'openbsd-7.8', hypervisor: 'qemu', states }];

t.test('pvconform compare on run directories and results files', async (t) => {
  const dir = scratch(t);
  const base = Object.fromEntries(CASES.filter((c) => c.before).map((c) => [c.check, c.before!]));
  const now = Object.fromEntries(CASES.map((c) => [c.check, c.now]));
  await writeRun(join(dir, 'a'), cellsOf(base));
  await writeRun(join(dir, 'b'), cellsOf(now));
  const r = await pvconform(['compare', join(dir, 'a'), join(dir, 'b'), '--json', join(dir, 'c.json'), '--summary-md', join(dir, 's.md')]);
  t.equal(r.exitCode, EXIT.failed, `a regression exits 3 (${r.all})`);
  t.match(r.stdout, /^REGRESSION  openbsd-7\.8@qemu  virtio\.4\/c  \(pass -> fail\)/m);
  t.match(r.stdout, /^ERROR \(INFRASTRUCTURE\)  openbsd-7\.8@qemu  virtio\.4\/h  \(pass -> error\)/m);
  t.match(r.stdout, /^FIXED  openbsd-7\.8@qemu  virtio\.4\/b/m);
  const json = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
  t.equal(json.counts.regression, 1);
  t.match(readFileSync(join(dir, 's.md'), 'utf8'), /#### Regressions \(passed in the baseline, fail now\): 1\n\n\| cell \| check \| before → now \| message \|/);

  // Only old failures: exit 0; --strict: exit 3. Bare results.jsonl paths work too.
  await writeRun(join(dir, 'old-a'), cellsOf({ 'virtio.4/d': 'fail', 'virtio.4/a': 'pass' }));
  await writeRun(join(dir, 'old-b'), cellsOf({ 'virtio.4/d': 'fail', 'virtio.4/a': 'pass' }));
  const ok = await pvconform(['compare', join(dir, 'old-a', 'results.jsonl'), join(dir, 'old-b', 'results.jsonl')]);
  t.equal(ok.exitCode, EXIT.ok, `old failures only: exit 0 (${ok.all})`);
  t.match(ok.stdout, /failed before too: 1/);
  const strict = await pvconform(['compare', '--strict', join(dir, 'old-a'), join(dir, 'old-b')]);
  t.equal(strict.exitCode, EXIT.failed, '--strict: an old failure exits 3');

  // An error alone exits 2.
  await writeRun(join(dir, 'err-b'), cellsOf({ 'virtio.4/d': 'fail', 'virtio.4/a': 'error' }));
  t.equal((await pvconform(['compare', join(dir, 'old-a'), join(dir, 'err-b')])).exitCode, EXIT.infra, 'an error exits 2');
});

t.test('pvconform compare --expectations and --annotate', async (t) => {
  const dir = scratch(t);
  const cells = (state: State): FixtureCell[] => [{ guest: 'openbsd-7.8', hypervisor: 'hyperv-gen2', states: { 'hyperv.4/attach': state } }];
  await writeRun(join(dir, 'a'), cells('pass'));
  await writeRun(join(dir, 'b'), cells('fail'));
  writeFileSync(join(dir, 'exp.yaml'), GEN2);
  t.equal((await pvconform(['compare', join(dir, 'a'), join(dir, 'b')])).exitCode, EXIT.failed, 'without expectations: a regression');
  const r = await pvconform(['compare', '--strict', '--expectations', join(dir, 'exp.yaml'), '--annotate', join(dir, 'a'), join(dir, 'b')]);
  t.equal(r.exitCode, EXIT.ok, `an expected failure exits 0, even --strict (${r.all})`);
  t.match(r.stdout, /^EXPECTED  openbsd-7\.8@hyperv-gen2  hyperv\.4\/attach .*Generation 2 Virtual Machines are currently not supported/m);
  t.ok(existsSync(join(dir, 'b', 'comparison.json')), '--annotate keeps the comparison in the run');
  const html = readFileSync(join(dir, 'b', 'report.html'), 'utf8');
  t.match(html, /"openbsd-7\.8@hyperv-gen2\|hyperv\.4\/attach":\{"class":"expected"/, 'the report carries the classes');

  writeFileSync(join(dir, 'bad.yaml'), 'knownFailures:\n  - check: x/y\n');
  const bad = await pvconform(['compare', '--expectations', join(dir, 'bad.yaml'), join(dir, 'a'), join(dir, 'b')]);
  t.equal(bad.exitCode, EXIT.usage, 'a bad expectations file is a usage error');
  t.match(bad.stderr, /bad\.yaml: field knownFailures\[0\]\.reason: missing\. Fix: add reason/);
  const missing = await pvconform(['compare', join(dir, 'nope'), join(dir, 'b')]);
  t.equal(missing.exitCode, EXIT.usage);
  t.match(missing.stderr, /nope: no such run directory or results file\. Fix:/);
});
