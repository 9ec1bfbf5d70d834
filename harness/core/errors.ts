// Kinds of trouble, told apart by their type and never by their text, so infrastructure
// never reads as a conformance failure and a guest's crash never as infrastructure
// (syzkaller's BootError/InfraError split). `run/run-cell.ts` maps each to one of the four
// states, in one place.

/** The guest did not come up: the cell's boot check fails, with the console tail. */
export class BootError extends Error {
  override name = 'BootError';
  constructor(message: string, readonly consoleTail: string = '') {
    super(message);
  }
}

/** The guest's kernel panicked (seen on its console): the guest broke its promise, so the
 *  check running at the time fails with the panic line; the rest are "not run". */
export class GuestPanicError extends BootError {
  override name = 'GuestPanicError';
  constructor(readonly panicLine: string, consoleTail: string = '') {
    super(`guest kernel panic: ${panicLine}`, consoleTail);
  }
}

/** The host or the harness broke (QEMU missing, a port, a dead dom0...): the cell's results
 *  are `error`, never `fail`. */
export class InfraError extends Error {
  override name = 'InfraError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A connection (SSH to a guest or a host) dropped while in use: every later command on it
 *  fails at once. Whether the guest is to blame is decided from its console, not from this. */
export class ConnectionLostError extends InfraError {
  override name = 'ConnectionLostError';
}

/** A trust failure that retrying cannot mend: a host key that does not match the pinned one,
 *  a refused login. */
export class TrustError extends InfraError {
  override name = 'TrustError';
}

/** A wait passed its deadline (a command in the guest, a host tool, a boot step). */
export class TimeoutError extends InfraError {
  override name = 'TimeoutError';
  constructor(message: string, readonly timeoutMs: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A cached image whose files do not match their manifest (a flipped byte, a garbled or empty
 *  pinned host key): refused before boot, and never blamed on the guest. */
export class DamagedImageError extends InfraError {
  override name = 'DamagedImageError';
  constructor(readonly image: string, readonly file: string, message: string) {
    super(`image ${image} is damaged: ${file}: ${message}`);
  }
}

/** The run's own output could not be written (a full disk, a read-only folder). */
export class OutputError extends InfraError {
  override name = 'OutputError';
}

/** A bad config file or command line: exit 1 with the file, the field and the fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
