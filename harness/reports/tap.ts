// results.tap: TAP version 14, one test point per result. TAP has no "error" state: an error is
// `not ok` whose diagnostics say `state: error`, so tools that know only ok/not ok still stop.
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { CheckResult } from '../core/results.ts';
import { writeWhole } from '../core/write-whole.ts';

export function renderTap(results: CheckResult[]): string {
  const lines = ['TAP version 14', `1..${results.length}`];
  results.forEach((r, i) => {
    const name = `${r.cell} ${r.check}`.replace(/#/g, '\\#');
    if (r.state === 'skip') {
      lines.push(`ok ${i + 1} - ${name} # SKIP ${oneLine(r.message)}`);
      return;
    }
    lines.push(`${r.state === 'pass' ? 'ok' : 'not ok'} ${i + 1} - ${name}`);
    const diag: Record<string, unknown> = { state: r.state, message: r.message, duration_ms: r.durationMs };
    if (r.citation) diag.citation = r.citation.kind === 'man' ? `${r.citation.page}: ${r.citation.sentence}` : `source: ${r.citation.fact} (${r.citation.where})`;
    if (r.artifacts.length) diag.artifacts = r.artifacts.map((a) => a.path);
    lines.push('  ---', ...stringify(diag).trimEnd().split('\n').map((l) => `  ${l}`), '  ...');
  });
  return lines.join('\n') + '\n';
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').slice(0, 300);
}

export async function writeTap(runDir: string, results: CheckResult[]): Promise<string> {
  const path = join(runDir, 'results.tap');
  await writeWhole(path, renderTap(results));
  return path;
}
