// Ctrl-C (or SIGTERM, SIGHUP) during a run: the first signal stops the run the orderly way (the
// cells abort, QEMU is stopped, every planned check still gets its one result, the reports are
// written); the exit status is then 128+signal. A second signal, or a run that does not wind
// down within the grace period, undoes everything at once and exits.
import { runAllCleanups } from '../core/cleanup.ts';

const CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof CODES;

/** Long enough for QEMU's hard stop (QMP quit, then SIGKILL) and the report writers. */
const GRACE_MS = 30_000;

export interface Interrupt {
  /** The signal that stopped the run, if one did. */
  readonly signal: HandledSignal | null;
  /** 128+signal, or null. */
  exitCode(): number | null;
}

export function stopRunOnSignal(onFirst: (signal: HandledSignal) => void): Interrupt {
  let received: HandledSignal | null = null;
  const now = (code: number) => {
    runAllCleanups();
    process.exit(code);
  };
  for (const signal of Object.keys(CODES) as HandledSignal[])
    process.on(signal, () => {
      if (received) return now(CODES[received]);
      received = signal;
      onFirst(signal);
      setTimeout(() => now(CODES[signal]), GRACE_MS).unref();
    });
  process.on('exit', () => runAllCleanups());
  return {
    get signal() {
      return received;
    },
    exitCode: () => (received ? CODES[received] : null),
  };
}
