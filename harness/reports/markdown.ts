// The run as GitHub-flavoured Markdown, for a CI job summary or release notes: the matrix, then
// what needs a look (regressions and errors first), capped so a huge run stays readable.
import { readRun, type RunData } from '../run-dir/read.ts';
import { STATES, type CheckResult, type State } from '../core/results.ts';
import { buildMatrix, cellAt, STATE_LETTER, type Matrix } from './matrix.ts';
import { CLASS_LABEL, type ClassifiedResult, type Comparison, type ResultClass } from './compare/classify.ts';
import { readComparison } from './compare/baseline.ts';
import { writeWhole } from '../core/write-whole.ts';

const MARK: Record<State | 'none', string> = { pass: '✅', fail: '❌', error: '⚠️', skip: '➖', none: '⏳' };
const MAX_ROWS = 50;
const MAX_MESSAGE = 200;

/** Text safe inside a Markdown table cell: one line, no pipe, no HTML. */
function cellText(s: string, max = MAX_MESSAGE): string {
  const one = s.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return cut.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function capped<T>(items: T[], render: (items: T[]) => string[], more: string): string[] {
  const out = render(items.slice(0, MAX_ROWS));
  if (items.length > MAX_ROWS) out.push('', `… and ${items.length - MAX_ROWS} more ${more}; see report.html.`);
  return out;
}

function matrixSection(m: Matrix): string[] {
  if (m.cells.length === 0) return ['No results.'];
  const rows = m.guests.map((g) => [
    `**${cellText(g)}**`,
    ...m.hypervisors.map((h) => {
      const c = cellAt(m, g, h);
      if (!c) return '';
      const counts = STATES.filter((s) => c.counts[s] > 0).map((s) => `${STATE_LETTER[s]} ${c.counts[s]}`).join(' · ');
      const notRun = c.notRun > 0 ? ` (${c.notRun} not run)` : '';
      return `${MARK[c.worst ?? 'none']} ${counts || 'no results'}${notRun}`;
    }),
  ]);
  return [
    ...table(['guest \\ hypervisor', ...m.hypervisors.map((h) => cellText(h))], rows),
    '',
    'Each cell shows its worst state (error, then fail, pass, skip) and its counts: P pass, F fail, S skip, E error (the host or the harness broke, not the guest).',
  ];
}

function resultRows(results: CheckResult[]): string[] {
  return table(
    ['state', 'cell', 'check', 'message'],
    results.map((r) => [`${STATE_LETTER[r.state]} ${r.state}`, code(r.cell), code(r.check), cellText(r.message)]),
  );
}

function classRows(entries: ClassifiedResult[]): string[] {
  return table(
    ['cell', 'check', 'before → now', 'message'],
    entries.map((e) => [
      code(e.cell),
      code(e.check),
      `${e.before ?? '—'} → ${e.now ?? '—'}`,
      cellText(e.message) + (e.expectation ? ` (expected: ${cellText(e.expectation.reason)} [link](${e.expectation.link}))` : ''),
    ]),
  );
}

function comparisonSections(c: Comparison): string[] {
  const counts = (Object.keys(c.counts) as ResultClass[]).filter((k) => c.counts[k] > 0).map((k) => `${CLASS_LABEL[k]} ${c.counts[k]}`);
  const out = ['', `### Against the baseline ${code(c.baseline.source)}`, '', counts.join(' · ') || 'nothing to compare'];
  const sections: [ResultClass, string][] = [
    ['regression', 'Regressions (passed in the baseline, fail now)'],
    ['error', 'Errors (infrastructure: the host or the harness broke)'],
    ['fixed', 'Fixed'],
    ['failed-before', 'Failed before too'],
    ['never-passed', 'Never passed'],
    ['expected', 'Expected failures'],
  ];
  for (const [cls, title] of sections) {
    const entries = c.entries.filter((e) => e.class === cls);
    if (entries.length === 0) continue;
    out.push('', `#### ${title}: ${entries.length}`, '', ...capped(entries, classRows, CLASS_LABEL[cls]));
  }
  const newFailures = c.entries.filter((e) => e.class === 'new-check' && e.now === 'fail');
  if (newFailures.length > 0) out.push('', `#### New checks that fail: ${newFailures.length}`, '', ...capped(newFailures, classRows, 'new failing checks'));
  for (const u of c.unexpectedPasses)
    out.push('', `Note: ${code(u.cell)} ${code(u.check)} passed although the expectations file lists it (${cellText(u.reason)}); the entry may be out of date.`);
  return out;
}

/** Pure: the summary of a run, with its comparison when there is one. */
export function renderMarkdownSummary(run: RunData, comparison: Comparison | null = null): string {
  const matrix = buildMatrix(run.results, run.plan);
  const head = STATES.map((s) => `${matrix.totals[s]} ${s}`).join(' · ');
  const id = run.summary?.run ?? run.results[0]?.run;
  const meta = [
    id && `run ${code(id)}`,
    run.plan && `plan ${code(run.plan.plan)}`,
    run.plan && `config ${code(run.plan.source)}`,
    run.plan?.shard && `shard ${run.plan.shard.index}/${run.plan.shard.count}`,
    run.summary ? `finished ${run.summary.finishedAt}, exit ${run.summary.exitCode}` : 'unfinished (no run.json)',
  ].filter(Boolean);
  const out = [`## pvconform: ${head}`, '', meta.join(' · '), '', ...matrixSection(matrix)];
  for (const w of run.warnings) out.push('', `> ${cellText(w, 500)}`);
  if (comparison) out.push(...comparisonSections(comparison));
  else {
    for (const [state, title] of [['error', 'Errors (infrastructure: the host or the harness broke)'], ['fail', 'Failures']] as const) {
      const rs = run.results.filter((r) => r.state === state);
      if (rs.length > 0) out.push('', `### ${title}: ${rs.length}`, '', ...capped(rs, resultRows, `${state} results`));
    }
  }
  return out.join('\n') + '\n';
}

/** Writes the Markdown summary of the run in runDir to `file` (overwriting it) and returns the
 *  path. Without a comparison, the one kept in <runDir>/comparison.json is used if present. */
export async function writeMarkdownSummary(runDir: string, file: string, comparison?: Comparison | null): Promise<string> {
  const run = await readRun(runDir);
  const c = comparison === undefined ? await readComparison(runDir) : comparison;
  await writeWhole(file, renderMarkdownSummary(run, c));
  return file;
}
