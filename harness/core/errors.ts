// Two kinds of trouble, kept apart so infrastructure never reads as a conformance failure
// (syzkaller's BootError/InfraError split).

/** The guest did not come up: the cell's boot check fails, with the console tail. */
export class BootError extends Error {
  override name = 'BootError';
  constructor(message: string, readonly consoleTail: string = '') {
    super(message);
  }
}

/** The host or the harness broke (QEMU missing, a port, a dead dom0, an SSH key mismatch on
 *  the host...): the cell's results are `error`, never `fail`. */
export class InfraError extends Error {
  override name = 'InfraError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A bad config file or command line: exit 1 with the file, the field and the fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
