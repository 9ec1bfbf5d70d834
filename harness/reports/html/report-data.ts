// What report.html embeds: the results plus what the page needs around them (matrix order, the
// comparison by result, cited page texts, each cell's artifact files). Pure.
import type { CheckResult } from '../../core/results.ts';
import type { RunData } from '../../run-dir/read.ts';
import { buildMatrix } from '../matrix.ts';
import { CLASS_LABEL, CLASS_ORDER, type Comparison, type ResultClass } from '../compare/classify.ts';
import type { EmbeddedPage } from './man-pages.ts';
import type { ManualCoverage } from './manual-coverage.ts';

/** A square's recent states from the history, oldest first (this run last). */
export type Strip = { run: string; state: CheckResult['state']; flaky: boolean }[];

export interface ReportData {
  title: string;
  run: {
    id: string | null;
    plan: string | null;
    source: string | null;
    shard: { index: number; count: number } | null;
    startedAt: string | null;
    finishedAt: string | null;
    exitCode: number | null;
  };
  guests: string[];
  hypervisors: string[];
  cells: { id: string; guest: string; hypervisor: string; notRun: number; files: string[] }[];
  suites: string[];
  results: CheckResult[];
  comparison: {
    baseline: string;
    counts: Record<ResultClass, number>;
    order: readonly ResultClass[];
    labels: Record<ResultClass, string>;
    byKey: Record<string, { class: ResultClass; label: string; before: string | null; expectation?: { reason: string; link: string } }>;
  } | null;
  pages: Record<string, EmbeddedPage>;
  /** `cell|check` of the results that failed, then passed on a retry. */
  flaky: string[];
  /** With a history: each square's last states, keyed `cell|check`. */
  strips: Record<string, Strip> | null;
  /** Each cited page's statements of behaviour, and which checks cite them. */
  manual: ManualCoverage[];
  warnings: string[];
}

export function buildReportData(
  run: RunData,
  extras: {
    comparison?: Comparison | null;
    pages?: Record<string, EmbeddedPage>;
    files?: Record<string, string[]>;
    flaky?: string[];
    strips?: Record<string, Strip> | null;
    manual?: ManualCoverage[];
  } = {},
): ReportData {
  const matrix = buildMatrix(run.results, run.plan);
  const first = run.results[0];
  const id = run.summary?.run ?? first?.run ?? null;
  const c = extras.comparison ?? null;
  const byKey: NonNullable<ReportData['comparison']>['byKey'] = {};
  for (const e of c?.entries ?? [])
    if (e.now !== null) byKey[`${e.cell}|${e.check}`] = { class: e.class, label: CLASS_LABEL[e.class], before: e.before, expectation: e.expectation };
  const suites = [...new Set([...run.results.map((r) => r.suite), ...(run.plan?.cells.flatMap((x) => x.suites) ?? [])])];
  return {
    title: `pvconform report${id ? `: ${id}` : ''}`,
    run: {
      id,
      plan: run.plan?.plan ?? run.summary?.plan ?? first?.plan ?? null,
      source: run.plan?.source ?? null,
      shard: run.plan?.shard ?? null,
      startedAt: run.summary?.startedAt ?? first?.startedAt ?? null,
      finishedAt: run.summary?.finishedAt ?? null,
      exitCode: run.summary?.exitCode ?? null,
    },
    guests: matrix.guests,
    hypervisors: matrix.hypervisors,
    cells: matrix.cells.map((m) => ({ id: m.id, guest: m.guest, hypervisor: m.hypervisor, notRun: m.notRun, files: extras.files?.[m.id] ?? [] })),
    suites,
    results: run.results,
    comparison: c && { baseline: c.baseline.source, counts: c.counts, order: CLASS_ORDER, labels: CLASS_LABEL, byKey },
    pages: extras.pages ?? {},
    flaky: extras.flaky ?? [],
    strips: extras.strips ?? null,
    manual: extras.manual ?? [],
    warnings: [
      ...run.warnings,
      ...(run.summary === null && run.dir !== null ? ['This run has no run.json: it was interrupted or is still running, so results may be missing.'] : []),
    ],
  };
}
