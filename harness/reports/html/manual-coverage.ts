// The manual, covered: for each cited page, its statements of behaviour, which checks cite each
// one, and so how many no check verifies yet. Pure; the page texts come from man-pages.ts.
import type { CheckResult } from '../../core/results.ts';
import type { EmbeddedPage } from './man-pages.ts';
import { pageStatements, statementsCovered } from './page-statements.ts';

export interface ManualCoverage {
  file: string;
  page: string;
  statements: { text: string; section: string; span: [number, number]; checks: string[] }[];
  covered: number;
  total: number;
  /** Cited sentences not found in this copy of the page (they count for nothing here). */
  unplaced: string[];
}

export function manualCoverage(pages: Record<string, EmbeddedPage>, results: CheckResult[]): ManualCoverage[] {
  return Object.entries(pages)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, p]) => {
      const statements = pageStatements(p.text).map((s) => ({ ...s, checks: [] as string[] }));
      const unplaced = new Set<string>();
      const citing = new Map<string, Set<string>>(); // sentence -> checks
      for (const r of results)
        if (r.citation?.kind === 'man' && r.citation.file === file) citing.set(r.citation.sentence, (citing.get(r.citation.sentence) ?? new Set()).add(r.check));
      for (const [sentence, checks] of citing) {
        const span = p.spans[sentence];
        const hit = span ? statementsCovered(statements, span) : [];
        if (hit.length === 0) unplaced.add(sentence);
        for (const i of hit) for (const c of checks) if (!statements[i].checks.includes(c)) statements[i].checks.push(c);
      }
      const covered = statements.filter((s) => s.checks.length > 0).length;
      return { file, page: p.page, statements, covered, total: statements.length, unplaced: [...unplaced] };
    });
}
