// How busy the host's cores were over a run: the share of their time not idle, from the kernel's
// per-CPU counters (os.cpus(), /proc/stat on Linux), taken at the start and at the end.
import { cpus } from 'node:os';

export interface CoreUse {
  cores: number;
  /** 0..1: the share of the cores' time spent not idle (any process, not only ours). */
  busy: number;
  /** Length of the measured span. */
  seconds: number;
}

function totals(): { busy: number; all: number; cores: number } {
  let busy = 0;
  let all = 0;
  const list = cpus();
  for (const c of list) {
    const t = c.times;
    const sum = t.user + t.nice + t.sys + t.idle + t.irq;
    all += sum;
    busy += sum - t.idle;
  }
  return { busy, all, cores: list.length };
}

/** Starts measuring; the returned function gives the figures from then to now. */
export function startCoreMeter(): () => CoreUse {
  const start = totals();
  const started = Date.now();
  return () => {
    const end = totals();
    const all = end.all - start.all;
    return { cores: end.cores, busy: all > 0 ? (end.busy - start.busy) / all : 0, seconds: (Date.now() - started) / 1000 };
  };
}
