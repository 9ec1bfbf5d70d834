// Judges each result of a new run against a baseline run, as Xen's OSSTest judges a flight
// against history: a failure matters differently when it is new, old, or known in advance.
import type { CheckResult, State } from '../../core/results.ts';
import { EXIT } from '../../core/exit-codes.ts';
import { findExpectation, type KnownFailure } from './expectations.ts';

export type ResultClass =
  | 'regression' // passed in the baseline, fails now
  | 'error' // the host or harness broke now: infrastructure, never a verdict on the guest
  | 'failed-before' // fails now and failed in the baseline too
  | 'never-passed' // fails now; the baseline has it but never saw it pass (skip or error)
  | 'new-check' // not in the baseline at all (a new check, or a new cell)
  | 'expected' // fails now, and the expectations file says why
  | 'flaky' // failed or errored, then passed on a retry: never a regression
  | 'fixed' // failed in the baseline, passes now
  | 'pass' // passes now, and did not fail before
  | 'skip' // does not apply now
  | 'missing'; // in the baseline, absent from the same cell now

/** Worst first: the order reports list them in. */
export const CLASS_ORDER: readonly ResultClass[] = [
  'regression', 'error', 'failed-before', 'never-passed', 'new-check', 'expected', 'flaky', 'fixed', 'missing', 'pass', 'skip',
];

export const CLASS_LABEL: Record<ResultClass, string> = {
  regression: 'regression',
  error: 'error (infrastructure)',
  'failed-before': 'failed before too',
  'never-passed': 'never passed',
  'new-check': 'new check',
  expected: 'expected',
  flaky: 'flaky (failed, then passed on a retry)',
  fixed: 'fixed',
  pass: 'pass',
  skip: 'skip',
  missing: 'missing (in the baseline, not run now)',
};

export interface ClassifiedResult {
  cell: string;
  guest: string;
  hypervisor: string;
  check: string;
  class: ResultClass;
  before: State | null;
  now: State | null;
  message: string;
  expectation?: { reason: string; link: string };
}

export interface Comparison {
  v: 1;
  baseline: { source: string; plan: string | null };
  current: { source: string; plan: string | null };
  entries: ClassifiedResult[];
  counts: Record<ResultClass, number>;
  /** Cells the baseline has and this run does not (another shard, or a smaller matrix): not judged. */
  cellsOnlyInBaseline: string[];
  /** Known failures that passed this time: the expectation may be out of date. */
  unexpectedPasses: { cell: string; check: string; reason: string; link: string }[];
}

export const key = (r: { cell: string; check: string }) => `${r.cell}\u0000${r.check}`;

function classOf(now: State, before: State | null): ResultClass {
  if (now === 'error') return 'error';
  if (before === null) return 'new-check';
  if (now === 'skip') return 'skip';
  if (now === 'pass') return before === 'fail' ? 'fixed' : 'pass';
  if (before === 'pass') return 'regression';
  if (before === 'fail') return 'failed-before';
  return 'never-passed';
}

export function emptyCounts(): Record<ResultClass, number> {
  return Object.fromEntries(CLASS_ORDER.map((c) => [c, 0])) as Record<ResultClass, number>;
}

/** Pure: classifies every result of `current` (and every baseline result missing from a cell
 *  `current` ran). A check seen twice in one file counts by its last line. */
export function classify(
  baseline: CheckResult[],
  current: CheckResult[],
  expectations: KnownFailure[] = [],
  sources: { baseline: string; current: string } = { baseline: 'baseline', current: 'current' },
  /** Keys (`cell`, NUL, `check`) of current results that failed, then passed on a retry. */
  flaky: ReadonlySet<string> = new Set(),
): Comparison {
  const before = new Map(baseline.map((r) => [key(r), r]));
  const now = new Map(current.map((r) => [key(r), r]));
  const currentCells = new Set(current.map((r) => r.cell));
  const entries: ClassifiedResult[] = [];
  const unexpectedPasses: Comparison['unexpectedPasses'] = [];

  for (const r of now.values()) {
    const b = before.get(key(r))?.state ?? null;
    const k = findExpectation(expectations, r);
    // An expectation covers a failure only (even of a new check: the file says why); an error
    // is still the infrastructure's fault.
    const expected = k !== undefined && r.state === 'fail';
    const entry: ClassifiedResult = {
      cell: r.cell, guest: r.guest, hypervisor: r.hypervisor, check: r.check,
      class: expected ? 'expected' : flaky.has(key(r)) && r.state === 'pass' ? 'flaky' : classOf(r.state, b), before: b, now: r.state, message: r.message,
    };
    if (expected) entry.expectation = { reason: k.reason, link: k.link };
    if (k && r.state === 'pass') unexpectedPasses.push({ cell: r.cell, check: r.check, reason: k.reason, link: k.link });
    entries.push(entry);
  }
  for (const r of before.values()) {
    if (now.has(key(r)) || !currentCells.has(r.cell)) continue;
    entries.push({ cell: r.cell, guest: r.guest, hypervisor: r.hypervisor, check: r.check, class: 'missing', before: r.state, now: null, message: '' });
  }
  const counts = emptyCounts();
  for (const e of entries) counts[e.class]++;
  const plans = (rs: CheckResult[]) => (rs.length > 0 ? rs[0].plan : null);
  return {
    v: 1,
    baseline: { source: sources.baseline, plan: plans(baseline) },
    current: { source: sources.current, plan: plans(current) },
    entries,
    counts,
    cellsOnlyInBaseline: [...new Set(baseline.map((r) => r.cell))].filter((c) => !currentCells.has(c)),
    unexpectedPasses,
  };
}

/** Failures that are old or new-but-unjudged: fine in CI, not fine for release qualification. */
export function oldFailures(c: Comparison): number {
  return c.counts['failed-before'] + c.counts['never-passed'] + c.entries.filter((e) => e.class === 'new-check' && e.now === 'fail').length;
}

/** CI's verdict on a comparison: a regression exits 3 (a check failed), an error 2 (the
 *  environment broke); old failures exit 0 unless strict; expected failures always exit 0. */
export function comparisonExitCode(c: Comparison, opts: { strict?: boolean } = {}): number {
  if (c.counts.regression > 0) return EXIT.failed;
  if (c.counts.error > 0) return EXIT.infra;
  if (opts.strict && oldFailures(c) > 0) return EXIT.failed;
  return EXIT.ok;
}
