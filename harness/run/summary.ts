// The short summary on stdout at the end of a run.
import type { RunOutcome } from './run-plan.ts';

export function printSummary(o: RunOutcome, out: NodeJS.WritableStream = process.stdout): void {
  const t = o.totals;
  for (const f of o.figures) {
    const checks = f.checkMs.length ? `, checks ${Math.round(f.checkMs.reduce((a, b) => a + b, 0) / f.checkMs.length)} ms avg` : '';
    out.write(`${f.cell}: cell ${(f.cellMs / 1000).toFixed(1)} s${f.bootToSshMs !== null ? `, boot to SSH ${(f.bootToSshMs / 1000).toFixed(1)} s` : ''}${checks}\n`);
  }
  if (o.coreUse) out.write(`cores: ${o.coreUse.cores}, ${Math.round(o.coreUse.busy * 100)}% busy over ${o.coreUse.seconds.toFixed(1)} s (all processes)\n`);
  out.write(`${t.pass} pass, ${t.fail} fail, ${t.skip} skip, ${t.error} error -> ${o.runDir} (exit ${o.exitCode})\n`);
}
