// The comparison as plain text for a terminal or a CI log: counts first, then one line per
// result that needs a look, worst first.
import { CLASS_LABEL, CLASS_ORDER, type Comparison, type ResultClass } from './classify.ts';

/** Classes listed line by line; the rest are only counted. */
const LISTED: ReadonlySet<ResultClass> = new Set(['regression', 'error', 'failed-before', 'never-passed', 'new-check', 'expected', 'flaky', 'fixed', 'missing']);

export function formatComparison(c: Comparison, opts: { maxLines?: number } = {}): string {
  const max = opts.maxLines ?? 200;
  const out: string[] = [];
  out.push(`baseline: ${c.baseline.source}${c.baseline.plan ? ` (plan ${c.baseline.plan})` : ''}`);
  out.push(`current:  ${c.current.source}${c.current.plan ? ` (plan ${c.current.plan})` : ''}`);
  out.push(CLASS_ORDER.filter((k) => c.counts[k] > 0).map((k) => `${CLASS_LABEL[k]}: ${c.counts[k]}`).join(', ') || 'no results');
  const listed = CLASS_ORDER.flatMap((k) => (LISTED.has(k) ? c.entries.filter((e) => e.class === k) : []));
  for (const e of listed.slice(0, max)) {
    const change = `${e.before ?? '-'} -> ${e.now ?? '-'}`;
    const why = e.expectation ? ` [expected: ${e.expectation.reason} ${e.expectation.link}]` : '';
    const msg = e.message ? `: ${e.message.split('\n')[0]}` : '';
    out.push(`${CLASS_LABEL[e.class].toUpperCase()}  ${e.cell}  ${e.check}  (${change})${msg}${why}`);
  }
  if (listed.length > max) out.push(`... and ${listed.length - max} more (see the JSON or the HTML report)`);
  if (c.cellsOnlyInBaseline.length > 0) out.push(`not judged (in the baseline only): ${c.cellsOnlyInBaseline.join(', ')}`);
  for (const u of c.unexpectedPasses)
    out.push(`note: ${u.cell} ${u.check} passed although the expectations file lists it (${u.reason}); the entry may be out of date`);
  return out.join('\n') + '\n';
}
