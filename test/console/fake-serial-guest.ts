// TEST DOUBLE for a QEMU serial socket chardev with a guest behind it (the real thing needs
// install media this machine cannot download). It listens on a unix socket like QEMU's
// `-chardev socket,server=on`, plays a scripted console (a transcript written from the
// installer's documented prompts), and checks each line typed against the script.
import { createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export type Step =
  | { out: string }
  | { input: string | RegExp; echo: boolean }
  | { key: string }
  | { pauseMs: number }
  | { hangup: true };

/** Transcript format: `#` comment lines; `@in TEXT` (or `@in /regex/`) a line the driver must
 *  type, echoed back like a tty; `@in-secret` the same without echo; `@key C` one keypress with
 *  no newline (`@key space` for a space), as a boot loader reads it; `@pause MS`; `@hangup`
 *  closes the connection (QEMU exiting); any other line is console output, and a line ending
 *  in `\c` is printed without its newline (a prompt). `{{NAME}}` takes vars[NAME]. */
export function parseTranscript(text: string, vars: Record<string, string> = {}): Step[] {
  const steps: Step[] = [];
  const sub = (s: string) => s.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in vars)) throw new Error(`transcript uses {{${k}}} but no value was given`);
    return vars[k];
  });
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^@(in-secret|in|key|pause|hangup)\b ?(.*)$/.exec(line);
    if (!m) {
      const s = sub(line);
      steps.push({ out: s.endsWith('\\c') ? s.slice(0, -2) : s + '\n' });
      continue;
    }
    const [, kind, arg] = m;
    if (kind === 'pause') steps.push({ pauseMs: Number(arg) });
    else if (kind === 'key') steps.push({ key: arg === 'space' ? ' ' : arg });
    else if (kind === 'hangup') steps.push({ hangup: true });
    else {
      const re = /^\/(.*)\/$/.exec(arg);
      steps.push({ input: re ? new RegExp(re[1]) : sub(arg), echo: kind === 'in' });
    }
  }
  // A trailing newline in the file is not output.
  const last = steps[steps.length - 1];
  if (last && 'out' in last && last.out === '\n') steps.pop();
  return steps;
}

export interface FakeGuest {
  socketPath: string;
  /** Resolves when the script has run to its end; rejects on input the script did not expect. */
  done: Promise<void>;
  typed: string[];
  close(): Promise<void>;
}

export async function startFakeGuest(socketPath: string, steps: Step[], opts: { charDelayMs?: number } = {}): Promise<FakeGuest> {
  const typed: string[] = [];
  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {});
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buffer = '';
    let waiter: (() => void) | null = null;
    sock.on('data', (d) => {
      buffer += d.toString('latin1');
      waiter?.();
    });
    const nextKey = async (): Promise<string> => {
      while (buffer.length === 0) await new Promise<void>((r) => (waiter = r));
      waiter = null;
      const c = buffer[0];
      buffer = buffer.slice(1);
      return c;
    };
    const nextLine = async (): Promise<string> => {
      while (!buffer.includes('\n')) await new Promise<void>((r) => (waiter = r));
      waiter = null;
      const i = buffer.indexOf('\n');
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      return line;
    };
    const write = async (s: string) => {
      const crlf = s.replace(/\n/g, '\r\n');
      if (!opts.charDelayMs) return void sock.write(crlf, 'latin1');
      for (const c of crlf) {
        sock.write(c, 'latin1');
        await new Promise((r) => setTimeout(r, opts.charDelayMs));
      }
    };
    void (async () => {
      for (const step of steps) {
        if ('out' in step) await write(step.out);
        else if ('pauseMs' in step) await new Promise((r) => setTimeout(r, step.pauseMs));
        else if ('key' in step) {
          const c = await nextKey();
          typed.push(c);
          if (c !== step.key) {
            rejectDone(new Error(`fake guest expected the key ${JSON.stringify(step.key)} but got ${JSON.stringify(c)}`));
            return;
          }
        } else if ('hangup' in step) {
          sock.end();
          break;
        } else {
          const line = await nextLine();
          typed.push(line);
          const ok = typeof step.input === 'string' ? line === step.input : step.input.test(line);
          if (!ok) {
            await write(`\nFAKE-GUEST: unexpected input\n`);
            rejectDone(new Error(`fake guest expected ${typeof step.input === 'string' ? JSON.stringify(step.input) : step.input} but got ${JSON.stringify(line)}`));
            return;
          }
          if (step.echo) await write(line + '\n');
        }
      }
      resolveDone();
    })();
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return {
    socketPath,
    done,
    typed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(socketPath, { force: true });
    },
  };
}
