// What a person watching a run sees: plain lines (CI logs), with a live status line on a TTY.
import type { CheckResult } from '../core/results.ts';
import type { CellFigures } from './run-cell.ts';

export interface Progress {
  cellStart(cell: string): void;
  log(cell: string, message: string): void;
  notice(message: string): void;
  result(r: CheckResult): void;
  cellEnd(cell: string, f: CellFigures): void;
}

const LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', error: 'ERROR' } as const;
const COLOUR = { pass: '\x1b[32m', fail: '\x1b[31m', skip: '\x1b[33m', error: '\x1b[35m' } as const;

export function consoleProgress(out: NodeJS.WriteStream = process.stderr): Progress {
  const tty = out.isTTY === true && !process.env.CI;
  let status = '';
  const clear = () => {
    if (tty && status) out.write('\r\x1b[K');
  };
  const line = (text: string) => {
    clear();
    out.write(text + '\n');
    if (tty && status) out.write(status);
  };
  const cellStarted = new Map<string, number>();
  return {
    cellStart(cell) {
      cellStarted.set(cell, Date.now());
      line(`[${cell}] start`);
    },
    log(cell, message) {
      const t = ((Date.now() - (cellStarted.get(cell) ?? Date.now())) / 1000).toFixed(1);
      if (tty) {
        clear();
        status = `[${cell}] ${t}s ${message}`;
        out.write(status);
      } else line(`[${cell}] ${t}s ${message}`);
    },
    notice(message) {
      line(`notice: ${message}`);
    },
    result(r) {
      const label = tty ? `${COLOUR[r.state]}${LABEL[r.state]}\x1b[0m` : LABEL[r.state];
      const first = r.message.split('\n')[0];
      line(`[${r.cell}] ${label} ${r.check} (${r.durationMs} ms): ${first}`);
    },
    cellEnd(cell, f) {
      clear();
      status = '';
      out.write(`[${cell}] done in ${(f.cellMs / 1000).toFixed(1)} s${f.bootToSshMs !== null ? ` (boot to SSH ${(f.bootToSshMs / 1000).toFixed(1)} s)` : ''}\n`);
    },
  };
}
