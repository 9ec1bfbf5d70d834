// A shell on the serial console: a prompt nobody else prints, each command's output between
// markers, and its exit status after the end marker (anita's protocol). Marker and prompt
// strings are typed split in two quoted halves, so the terminal's echo of the typed line never
// matches them; only the shell's own output does.
//
// The output is kept in a file in the guest and printed with its checksum. If a kernel message
// damaged it on the way (or garbled a marker), the driver asks for it again, so the result is
// exactly what the command printed.
import { randomBytes } from 'node:crypto';
import { InfraError } from '../core/errors.ts';
import type { ConsoleSession } from './session.ts';
import { tailText } from './session.ts';
import { outputIntact } from './output-sum.ts';
import { sleep } from '../core/wait.ts';

export interface CommandResult {
  status: number;
  /** What the command printed, stdout and stderr together (CRs and terminal escapes removed,
   *  final newline dropped). */
  output: string;
  /** False when the output never arrived matching its checksum (it is the last copy seen);
   *  null when the guest has neither cksum nor md5sum to tell. */
  intact?: boolean | null;
}

export interface RunOptions {
  timeoutMs: number;
  step?: string;
}

export class ShellCommandError extends InfraError {
  override name = 'ShellCommandError';
  constructor(readonly command: string, readonly result: CommandResult, step: string) {
    super(`command failed on the console (step "${step}", exit status ${result.status}): ${command}\n${tailText(result.output, 800)}`);
  }
}

/** Quotes `s` for a POSIX shell. */
import { shellQuote } from '../core/shell-quote.ts';
export { shellQuote };

export interface AttachOptions {
  timeoutMs: number;
  step?: string;
  /** Any prompt of the shell first reached (before ours is set). */
  anyPrompt?: RegExp;
  /** Typed first to get a POSIX shell (e.g. `exec /bin/sh` from csh). */
  switchTo?: string;
  /** A writable folder in the guest for the output file. */
  tmpDir?: string;
}

const ANY_PROMPT = /[#$%>] ?$/;
/** How many times a damaged output is asked for again before giving up on it, waiting longer
 *  each time so a burst of kernel messages can pass. */
const REPRINTS = 8;
const reprintPauseMs = (attempt: number) => Math.min(250 * 2 ** attempt, 8000);

export class ConsoleShell {
  private counter = 0;

  private constructor(
    readonly session: ConsoleSession,
    private readonly nonce: string,
    /** Matches our prompt where the shell prints it: at a line start. */
    readonly prompt: RegExp,
  ) {}

  /** Gets a prompt, then sets a unique one and the helper that prints a command's result.
   *  The shell must already be running on the console (after a login, or a root shell like the
   *  reference guest's). */
  static async attach(session: ConsoleSession, opts: AttachOptions): Promise<ConsoleShell> {
    const step = opts.step ?? 'shell';
    const anyPrompt = opts.anyPrompt ?? ANY_PROMPT;
    const nudge = { everyMs: 3000, text: '\n' };
    await session.send('\n', step);
    await session.expect(anyPrompt, { timeoutMs: opts.timeoutMs, step, what: 'a shell prompt', nudge });
    if (opts.switchTo) {
      await session.sendLine(opts.switchTo, step);
      await session.expect(anyPrompt, { timeoutMs: opts.timeoutMs, step, what: `a prompt after \`${opts.switchTo}\``, nudge });
    }
    const nonce = randomBytes(4).toString('hex');
    const tmp = opts.tmpDir ?? '/tmp';
    await session.sendLine(
      `pvc_f=${tmp}/pvc-out.$$; pvc_s=0; ` +
        `pvc_show() { echo "PVB""$1"; cat "$pvc_f"; echo "PVE""$1:$pvc_s:$({ cksum || md5sum; } <"$pvc_f" 2>/dev/null)"; }`,
      step,
    );
    // No '!' or '\' in the prompt: ksh and others expand them in PS1.
    await session.sendLine(`PS1='pvc''${nonce}# '`, step);
    const prompt = new RegExp(`(?:^|\\n)pvc${nonce}# `);
    await session.expect(prompt, { timeoutMs: opts.timeoutMs, step, what: 'our own prompt', nudge });
    return new ConsoleShell(session, nonce, prompt);
  }

  /** Runs `command` through `eval` (so a syntax error still reaches the end marker), stdin from
   *  /dev/null, and returns its exit status and output. A non-zero status is a normal result. */
  async run(command: string, opts: RunOptions): Promise<CommandResult> {
    const step = opts.step ?? 'command';
    const deadline = Date.now() + opts.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const what = `the result of \`${command.length > 60 ? command.slice(0, 57) + '...' : command}\``;
    // A newline now and then brings a fresh prompt should a garbled one go unseen.
    const nudge = { everyMs: 20_000, text: '\n' };
    let id = this.nextId();
    await this.session.sendLine(`eval ${shellQuote(command)} >"$pvc_f" 2>&1 </dev/null; pvc_s=$?; pvc_show ${id}`, step);
    let last: CommandResult | null = null;
    for (let attempt = 0; ; attempt++) {
      const result = new RegExp(`PVB${id}\\n([^]*?)PVE${id}:(\\d+):([^\\n]*)\\n`);
      const got = await this.session.expect([result, this.prompt], { timeoutMs: left(), step, what, nudge });
      if (got.index === 0) {
        const raw = got.match[1];
        const intact = outputIntact(raw, got.match[3]);
        last = { status: Number(got.match[2]), output: raw.endsWith('\n') ? raw.slice(0, -1) : raw, intact };
        await this.session.expect(this.prompt, { timeoutMs: left(), step, what: 'our prompt after the command', nudge });
        if (intact !== false) break;
        this.session.note(step, `output of attempt ${attempt + 1} did not match its checksum (damaged on the serial line); printing it again`);
      } else {
        this.session.note(step, `the prompt came back without the result markers (garbled on the serial line); printing the result again`);
      }
      if (attempt + 1 >= REPRINTS) {
        if (last) break;
        throw new InfraError(`the result of \`${command}\` never came back readable over the console (step "${step}", ${REPRINTS} tries)`);
      }
      await sleep(Math.min(reprintPauseMs(attempt), left()));
      id = this.nextId();
      await this.session.sendLine(`pvc_show ${id}`, step);
    }
    this.session.transcript.write({ ev: 'status', step, command, status: last.status });
    return last;
  }

  private nextId(): string {
    return `${this.nonce}x${++this.counter}`;
  }

  /** Like run(), but a non-zero status throws ShellCommandError with the output. */
  async check(command: string, opts: RunOptions): Promise<string> {
    const r = await this.run(command, opts);
    if (r.status !== 0) throw new ShellCommandError(command, r, opts.step ?? 'command');
    return r.output;
  }
}

export interface LoginOptions {
  user: string;
  /** Omit for an account without a password (a fresh NetBSD root). */
  password?: string;
  timeoutMs: number;
  step?: string;
}

/** Logs in at a getty prompt. Leaves the session right after the shell's first prompt. */
export async function loginOnConsole(session: ConsoleSession, opts: LoginOptions): Promise<void> {
  const step = opts.step ?? 'login';
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  await session.expect(/login: $/, { timeoutMs: left(), step, what: 'the login prompt', nudge: { everyMs: 5000, text: '\n' } });
  await session.sendLine(opts.user, step);
  const incorrect = /Login incorrect/;
  const after = await session.expect([/Password: ?$/, incorrect, ANY_PROMPT], { timeoutMs: left(), step, what: 'a password prompt or a shell prompt' });
  if (after.index === 1) throw new InfraError(`console login as ${opts.user} was refused ("Login incorrect")`);
  if (after.index === 0) {
    if (opts.password === undefined) throw new InfraError(`console login as ${opts.user} asked for a password, and none is known`);
    await session.sendLine(opts.password, step, true);
    const r = await session.expect([incorrect, ANY_PROMPT], { timeoutMs: left(), step, what: 'a shell prompt after the password' });
    if (r.index === 0) throw new InfraError(`console login as ${opts.user} was refused ("Login incorrect")`);
  }
}
