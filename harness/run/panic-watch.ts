// Watches a running guest's console for a kernel panic, so a panic at any time is told as the
// guest's fault (GuestPanicError, with the panic line and the console tail) rather than as the
// lost SSH connection it causes.
import { open } from 'node:fs/promises';
import { GuestPanicError } from '../core/errors.ts';
import { PANIC_PATTERNS, tailOf } from '../qemu/console-log.ts';

const POLL_MS = 100;
/** After the first panic text, the rest of the panic report takes a moment to reach the log. */
const SETTLE_MS = 1_000;

export interface PanicWatch {
  /** Rejects with GuestPanicError when a panic shows on the console; never resolves. */
  readonly panicked: Promise<never>;
  /** The panic seen so far, if any (looks at the console once more first). */
  check(): Promise<GuestPanicError | null>;
  stop(): void;
}

export function watchForPanic(consoleLog: string, options: { poll?: boolean } = {}): PanicWatch {
  let offset = 0;
  let carry = '';
  let found: GuestPanicError | null = null;
  let stopped = false;
  let fire: (e: GuestPanicError) => void = () => {};
  const panicked = new Promise<never>((_, reject) => (fire = reject));
  panicked.catch(() => {}); // observed through check() or a race; never unhandled

  const scan = async (): Promise<GuestPanicError | null> => {
    if (found) return found;
    let chunk: string;
    try {
      const fh = await open(consoleLog, 'r');
      try {
        const { size } = await fh.stat();
        if (size <= offset) return null;
        const buf = Buffer.alloc(size - offset);
        await fh.read(buf, 0, buf.length, offset);
        offset = size;
        chunk = carry + buf.toString('latin1').replace(/\r/g, '');
      } finally {
        await fh.close();
      }
    } catch {
      return null; // not written yet
    }
    const at = Math.min(...PANIC_PATTERNS.map((p) => chunk.indexOf(p)).filter((i) => i >= 0));
    if (!Number.isFinite(at)) {
      carry = chunk.slice(-200);
      return null;
    }
    const lineStart = chunk.lastIndexOf('\n', at) + 1;
    const lineEnd = chunk.indexOf('\n', at + 1);
    const line = chunk.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    found ??= new GuestPanicError(line, await tailOf(consoleLog, 30));
    return found;
  };

  // One scan at a time: the loop and check() share the read offset.
  let queue: Promise<unknown> = Promise.resolve();
  const scanInTurn = (): Promise<GuestPanicError | null> => {
    const r = queue.then(scan);
    queue = r.catch(() => null);
    return r;
  };

  const loop = async () => {
    while (!stopped && !found) {
      const e = await scanInTurn();
      if (e) return fire(e);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  if (options.poll !== false) void loop();

  return {
    panicked,
    check: scanInTurn,
    stop: () => {
      stopped = true;
    },
  };
}

/** One look at a console for a panic (a guest that went down before the checks began). */
export function panicOnConsole(consoleLog: string): Promise<GuestPanicError | null> {
  return watchForPanic(consoleLog, { poll: false }).check();
}
