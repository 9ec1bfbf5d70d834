// junit.xml written by us: node-tap's junit reporter has no <error>, and infrastructure
// trouble must not read as a test failure.
import { join } from 'node:path';
import type { CheckResult } from '../core/results.ts';
import { writeWhole } from '../core/write-whole.ts';

export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function renderJunit(results: CheckResult[]): string {
  const byCell = new Map<string, CheckResult[]>();
  for (const r of results) byCell.set(r.cell, [...(byCell.get(r.cell) ?? []), r]);
  const count = (rs: CheckResult[], s: string) => rs.filter((r) => r.state === s).length;
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = (rs: CheckResult[]) => rs.reduce((a, r) => a + r.durationMs, 0);
  out.push(`<testsuites name="pvconform" tests="${results.length}" failures="${count(results, 'fail')}" errors="${count(results, 'error')}" skipped="${count(results, 'skip')}" time="${secs(total(results))}">`);
  for (const [cell, rs] of byCell) {
    out.push(`  <testsuite name="${xmlEscape(cell)}" tests="${rs.length}" failures="${count(rs, 'fail')}" errors="${count(rs, 'error')}" skipped="${count(rs, 'skip')}" time="${secs(total(rs))}" timestamp="${xmlEscape(rs[0].startedAt)}">`);
    for (const r of rs) {
      out.push(`    <testcase classname="${xmlEscape(`${cell}.${r.suite}`)}" name="${xmlEscape(r.check)}" time="${secs(r.durationMs)}">`);
      const msg = xmlEscape(r.message);
      if (r.state === 'fail') out.push(`      <failure message="${msg.split('\n')[0]}" type="conformance">${msg}</failure>`);
      if (r.state === 'error') out.push(`      <error message="${msg.split('\n')[0]}" type="infrastructure">${msg}</error>`);
      if (r.state === 'skip') out.push(`      <skipped message="${msg.split('\n')[0]}"/>`);
      const cite = r.citation ? (r.citation.kind === 'man' ? `${r.citation.page}: ${r.citation.sentence}` : `source fact: ${r.citation.fact} (${r.citation.where})`) : '';
      const sysout = [cite && `citation: ${cite}`, ...r.artifacts.map((a) => `[[ATTACHMENT|${a.path}]]`)].filter(Boolean).join('\n');
      if (sysout) out.push(`      <system-out>${xmlEscape(sysout)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

export async function writeJunit(runDir: string, results: CheckResult[]): Promise<string> {
  const path = join(runDir, 'junit.xml');
  await writeWhole(path, renderJunit(results));
  return path;
}
