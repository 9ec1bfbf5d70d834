// What a watcher sees while cells run: on a terminal, one live line per running cell kept below
// the lines that stay; in a CI log, plain lines only, with no terminal control codes.
import t from 'tap';
import { consoleProgress } from '../../harness/run/progress.ts';
import type { CheckResult } from '../../harness/core/results.ts';

/** Everything written, as a terminal of 80 columns (or a log file) would receive it. */
function screen(tty: boolean) {
  const out = { text: '', isTTY: tty, columns: 80, write(s: string) { out.text += s; return true; } };
  return out;
}

/** What a terminal shows after the escape codes this writer uses (cursor up N, erase below). */
function render(text: string): string[] {
  const lines: string[] = [];
  for (const part of text.split(/(\x1b\[\d+A\r\x1b\[J)/)) {
    const up = /^\x1b\[(\d+)A\r\x1b\[J$/.exec(part);
    if (up) lines.splice(lines.length - Number(up[1]));
    else lines.push(...part.split('\n').slice(0, -1));
  }
  return lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
}

const result = (cell: string, check: string): CheckResult => ({
  v: 1, run: 'r', plan: 'p', cell, guest: cell.split('@')[0], hypervisor: cell.split('@')[1], check, suite: 'virtio.4', state: 'pass',
  message: 'as promised', citation: null, durationMs: 12, startedAt: '2026-01-01T00:00:00Z', artifacts: [],
});
const figures = { bootToSshMs: 4000, cellMs: 9000, checkMs: [], noImage: false };

t.test('terminal: a live line per running cell', async (t) => {
  const out = screen(true);
  const p = consoleProgress(out, {});
  p.cellStart('linux-ref@qemu');
  p.cellStart('linux-ref@xen-pvh');
  p.log('linux-ref@qemu', 'booting linux-ref on qemu');
  p.log('linux-ref@xen-pvh', 'xl create');
  let shown = render(out.text);
  t.match(shown.at(-2), /^  \[linux-ref@qemu\] \d+\.\ds booting linux-ref on qemu$/, 'the first cell\'s live line');
  t.match(shown.at(-1), /^  \[linux-ref@xen-pvh\] \d+\.\ds xl create$/, 'the second cell\'s live line');
  p.result(result('linux-ref@qemu', 'virtio.4/net'));
  shown = render(out.text);
  t.match(shown.at(-3), /^\[linux-ref@qemu\] PASS virtio\.4\/net \(12 ms\): as promised$/, 'a result stays, above the live block');
  t.equal(shown.filter((l) => l.startsWith('  [')).length, 2, 'still exactly one live line per running cell');
  p.cellEnd('linux-ref@qemu', figures);
  shown = render(out.text);
  t.match(shown.at(-2), /^\[linux-ref@qemu\] done in 9\.0 s \(boot to SSH 4\.0 s\)$/);
  t.match(shown.at(-1), /^  \[linux-ref@xen-pvh\]/, 'the ended cell left the live block');
  p.cellEnd('linux-ref@xen-pvh', figures);
  t.equal(render(out.text).filter((l) => l.startsWith('  [')).length, 0, 'no live line after the last cell');
});

t.test('CI log: plain lines, no control codes', async (t) => {
  for (const [label, out, env] of [['not a terminal', screen(false), {}], ['CI set on a terminal', screen(true), { CI: '1' }]] as const) {
    const p = consoleProgress(out, env);
    p.cellStart('c@q');
    p.log('c@q', 'booting');
    p.result(result('c@q', 'virtio.4/net'));
    p.cellEnd('c@q', figures);
    t.notMatch(out.text, /\x1b/, `${label}: no escape codes`);
    t.same(out.text.split('\n').filter(Boolean).map((l) => l.replace(/ \d+\.\ds /, ' Ns ')), [
      '[c@q] start', '[c@q] Ns booting', '[c@q] PASS virtio.4/net (12 ms): as promised', '[c@q] done in 9.0 s (boot to SSH 4.0 s)',
    ], `${label}: one line per event`);
  }
});
