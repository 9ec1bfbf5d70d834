// Everything the harness starts or creates registers its undo here, so a normal end, an
// error and Ctrl-C all leave no QEMU, socket or temp file behind.
import { rmSync } from 'node:fs';

interface Undo {
  what: string;
  /** Must be synchronous: it also runs from a signal handler on the way out. */
  run(): void;
}

const pending = new Set<Undo>();
let installed = false;

/** Registers an undo; call the returned function once it is no longer needed. */
export function onCleanup(what: string, run: () => void): () => void {
  const undo = { what, run };
  pending.add(undo);
  return () => {
    pending.delete(undo);
  };
}

export function removeOnCleanup(path: string): () => void {
  return onCleanup(`remove ${path}`, () => rmSync(path, { recursive: true, force: true }));
}

export function killOnCleanup(pid: number, what: string): () => void {
  return onCleanup(what, () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  });
}

/** Runs every pending undo, newest first (a process before the folder it writes into). */
export function runAllCleanups(): void {
  for (const undo of [...pending].reverse()) {
    pending.delete(undo);
    try {
      undo.run();
    } catch {
      /* keep undoing the rest */
    }
  }
}

/** On SIGINT/SIGTERM: undo everything, then exit with the conventional 128+signal. */
export function installSignalCleanup(onSignal?: (signal: NodeJS.Signals) => void): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      onSignal?.(signal);
      runAllCleanups();
      process.exit(code);
    });
  }
  process.on('exit', () => runAllCleanups());
}
