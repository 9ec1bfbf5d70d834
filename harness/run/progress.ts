// What a person watching a run sees. In a CI log (no terminal, or $CI set): plain lines, one per
// event. On a terminal: the same lines scroll above a live block holding one line per running
// cell (its elapsed time and what it is doing: booting, an image build, a check), redrawn as
// things happen and once a second so the clock moves during a long boot.
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
const REDRAW_MS = 1000;

type Out = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

export function consoleProgress(out: Out = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress {
  const tty = out.isTTY === true && !env.CI;
  const running = new Map<string, { since: number; doing: string }>();
  let drawn = 0; // lines of the live block now on screen
  let timer: NodeJS.Timeout | null = null;
  const seconds = (cell: string) => ((Date.now() - (running.get(cell)?.since ?? Date.now())) / 1000).toFixed(1);

  const erase = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\r\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    const width = Math.max(20, (out.columns ?? 100) - 1);
    const lines = [...running].map(([cell, s]) => `  [${cell}] ${seconds(cell)}s ${s.doing}`.slice(0, width));
    if (lines.length) out.write(lines.join('\n') + '\n');
    drawn = lines.length;
  };
  const redraw = () => {
    erase();
    draw();
  };
  /** A line that stays: above the live block on a terminal. */
  const line = (text: string) => {
    if (!tty) {
      out.write(text + '\n');
      return;
    }
    erase();
    out.write(text + '\n');
    draw();
  };
  const tick = () => {
    if (!tty) return;
    if (running.size > 0 && timer === null) {
      timer = setInterval(redraw, REDRAW_MS);
      timer.unref();
    } else if (running.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    cellStart(cell) {
      running.set(cell, { since: Date.now(), doing: 'starting' });
      line(`[${cell}] start`);
      tick();
    },
    log(cell, message) {
      const s = running.get(cell);
      if (tty && s) {
        s.doing = message;
        redraw();
      } else line(`[${cell}] ${seconds(cell)}s ${message}`);
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
      running.delete(cell);
      line(`[${cell}] done in ${(f.cellMs / 1000).toFixed(1)} s${f.bootToSshMs !== null ? ` (boot to SSH ${(f.bootToSshMs / 1000).toFixed(1)} s)` : ''}`);
      tick();
    },
  };
}
