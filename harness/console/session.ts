// Expect-style waits on a console log. Each wait looks only at text that arrived after the
// previous match or send (openQA's offset scoping), so a prompt left over from an earlier step
// can never satisfy a later one. A wait that gives up says what it was waiting for and shows
// the tail it saw.
import { InfraError } from '../core/errors.ts';
import { cleanConsoleText, type CleanText, type NoisePattern } from './clean-text.ts';
import { ConsoleLogReader } from './log-reader.ts';
import type { SerialInput } from './serial-socket.ts';
import { Transcript } from './transcript.ts';
import { sleep } from '../core/wait.ts';

export type Awaitable = RegExp | string;

export interface ExpectOptions {
  timeoutMs: number;
  /** Name of the step, for the transcript and the error ("login", "install"). */
  step: string;
  /** What is awaited in a person's words ("the installer's first menu"). */
  what?: string;
  signal?: AbortSignal;
  /** Types `text` each time nothing matched for `everyMs` (a getty that needs a newline). */
  nudge?: { everyMs: number; text: string };
}

export interface ExpectMatch {
  /** Which of the awaited patterns matched (the one matching earliest in the text). */
  index: number;
  match: RegExpExecArray;
  /** Clean text from the start of the step's window to the end of the match. */
  text: string;
  /** Clean text before the match. */
  before: string;
}

export interface ConsoleSessionOptions {
  logPath: string;
  /** Where keystrokes go; null for a console that can only be read. */
  input: SerialInput | null;
  transcript?: Transcript;
  /** Kernel messages and the like, removed before matching. */
  noise?: readonly NoisePattern[];
  pollMs?: number;
}

function describePattern(p: Awaitable): string {
  return typeof p === 'string' ? JSON.stringify(p) : p.toString();
}

function toRegExp(p: Awaitable): RegExp {
  if (typeof p === 'string') return new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
}

/** A printable excerpt of the end of `text`. */
export function tailText(text: string, chars = 1200): string {
  const t = text.length > chars ? '…' + text.slice(-chars) : text;
  return t.replace(/[^\n\t\x20-\x7e\xa0-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class ConsoleTimeoutError extends InfraError {
  override name = 'ConsoleTimeoutError';
  constructor(readonly step: string, readonly awaited: string[], readonly tail: string, message: string) {
    super(message);
  }
}

export class ConsoleClosedError extends InfraError {
  override name = 'ConsoleClosedError';
}


export class ConsoleSession {
  readonly transcript: Transcript;
  private readonly reader: ConsoleLogReader;
  private readonly noise: readonly NoisePattern[];
  private readonly pollMs: number;
  /** Raw log position where the current step's window starts. */
  private windowStart = 0;
  /** Raw text from windowStart to what has been read. */
  private raw = '';
  /** Clean text of raw[0 .. stableLen), which ends at a newline and will not change. */
  private stable: CleanText = { text: '', rawIndex: [0] };
  private stableLen = 0;
  /** The last raw characters read before the window, for errors on an empty window. */
  private history = '';
  private closedReason: string | null = null;
  private input: SerialInput | null;

  constructor(private readonly opts: ConsoleSessionOptions) {
    this.input = opts.input;
    this.reader = new ConsoleLogReader(opts.logPath);
    this.transcript = opts.transcript ?? new Transcript(null);
    this.noise = opts.noise ?? [];
    this.pollMs = opts.pollMs ?? 50;
  }

  /** Connects the keyboard later (the socket appears only once QEMU runs). */
  attachInput(input: SerialInput): void {
    this.input = input;
  }

  /** Raw log position where the next wait starts looking. */
  get offset(): number {
    return this.windowStart;
  }

  /** After this every pending and future wait fails at once with `reason` (QEMU exited...). */
  close(reason: string): void {
    this.closedReason ??= reason;
  }

  get closed(): string | null {
    return this.closedReason;
  }

  /** Reads whatever the log gained; returns true when something arrived. */
  async pump(): Promise<boolean> {
    const chunk = await this.reader.readNew();
    if (!chunk) return false;
    this.transcript.write({ ev: 'recv', offset: this.reader.position - chunk.length, data: chunk });
    this.raw += chunk;
    return true;
  }

  /** Clean text of the current window, and where each of its characters sits in the log. */
  private clean(): { text: string; rawAt(i: number): number } {
    const lastNl = this.raw.lastIndexOf('\n') + 1;
    if (lastNl > this.stableLen) {
      const add = cleanConsoleText(this.raw.slice(this.stableLen, lastNl), this.windowStart + this.stableLen, this.noise);
      this.stable.text += add.text;
      this.stable.rawIndex.pop();
      for (const r of add.rawIndex) this.stable.rawIndex.push(r);
      this.stableLen = lastNl;
    }
    const tail = cleanConsoleText(this.raw.slice(this.stableLen), this.windowStart + this.stableLen, this.noise);
    const stable = this.stable;
    const split = stable.text.length;
    return {
      text: stable.text + tail.text,
      rawAt: (i) => (i < split ? stable.rawIndex[i] : tail.rawIndex[i - split]),
    };
  }

  /** Moves the window start to raw position `pos`, forgetting what lies before it. */
  private advanceTo(pos: number): void {
    const cut = pos - this.windowStart;
    if (cut <= 0) return;
    this.history = (this.history + this.raw.slice(0, cut)).slice(-4000);
    this.raw = this.raw.slice(cut);
    this.windowStart = pos;
    this.stable = { text: '', rawIndex: [pos] };
    this.stableLen = 0;
  }

  /** Everything read so far counts as seen: the next wait starts after it. */
  async discardPending(): Promise<void> {
    await this.pump();
    this.advanceTo(this.windowStart + this.raw.length);
  }

  /** Types `text` (nothing is appended). Text already printed is left behind first, so the
   *  next wait only sees the answer to this input. `secret` keeps it out of the transcript. */
  async send(text: string, step: string, secret = false): Promise<void> {
    if (!this.input) throw new InfraError(`console ${this.opts.logPath} is read-only: cannot send (step "${step}")`);
    if (this.closedReason) throw new ConsoleClosedError(`cannot type into the console (step "${step}"): ${this.closedReason}`);
    await this.discardPending();
    this.transcript.write({ ev: 'send', step, data: secret ? (text.endsWith('\n') ? '<secret>\n' : '<secret>') : text });
    await this.input.write(text);
  }

  sendLine(line: string, step: string, secret = false): Promise<void> {
    return this.send(line + '\n', step, secret);
  }

  note(step: string, text: string): void {
    this.transcript.write({ ev: 'note', step, text });
  }

  /** Clean text of the current window (what a wait would see now). */
  async peek(): Promise<string> {
    await this.pump();
    return this.clean().text;
  }

  /** Waits until one of `patterns` appears in text that arrived after the last match or send.
   *  Returns the earliest match and moves the window past it. */
  async expect(patterns: Awaitable | Awaitable[], opts: ExpectOptions): Promise<ExpectMatch> {
    const list = Array.isArray(patterns) ? patterns : [patterns];
    const regexes = list.map(toRegExp);
    const awaited = list.map(describePattern);
    const what = opts.what ? `${opts.what} (${awaited.join(' or ')})` : awaited.join(' or ');
    const started = Date.now();
    const deadline = started + opts.timeoutMs;
    let lastNudge = started;
    this.transcript.write({ ev: 'wait', step: opts.step, awaited, offset: this.windowStart, timeoutMs: opts.timeoutMs });
    for (;;) {
      const arrived = await this.pump();
      const c = this.clean();
      let best: { index: number; m: RegExpExecArray } | null = null;
      regexes.forEach((re, index) => {
        const m = re.exec(c.text);
        if (m && (!best || m.index < best.m.index)) best = { index, m };
      });
      if (best) {
        const { index, m } = best as { index: number; m: RegExpExecArray };
        const endClean = m.index + m[0].length;
        const endRaw = c.rawAt(endClean);
        const text = c.text.slice(0, endClean);
        this.transcript.write({ ev: 'match', step: opts.step, awaited: awaited[index], offset: this.windowStart, end: endRaw, text: m[0] });
        this.advanceTo(endRaw);
        return { index, match: m, text, before: c.text.slice(0, m.index) };
      }
      if (this.closedReason) {
        this.transcript.write({ ev: 'closed', step: opts.step, awaited, reason: this.closedReason });
        throw new ConsoleClosedError(
          `${this.closedReason} while waiting for ${what} (step "${opts.step}"); the console's last lines were:\n${this.tailFor(c.text)}`,
        );
      }
      if (opts.signal?.aborted) throw new InfraError(`aborted while waiting for ${what} (step "${opts.step}")`);
      const now = Date.now();
      if (now >= deadline) {
        const tail = this.tailFor(c.text);
        this.transcript.write({ ev: 'timeout', step: opts.step, awaited, offset: this.windowStart, tail });
        throw new ConsoleTimeoutError(
          opts.step,
          awaited,
          tail,
          `timed out after ${((now - started) / 1000).toFixed(1)} s waiting for ${what} (step "${opts.step}"); the console's last lines were:\n${tail}`,
        );
      }
      if (arrived) lastNudge = Math.max(lastNudge, now);
      if (opts.nudge && now - lastNudge >= opts.nudge.everyMs && this.input) {
        lastNudge = now;
        this.transcript.write({ ev: 'send', step: opts.step, data: opts.nudge.text });
        await this.input.write(opts.nudge.text);
      }
      await sleep(this.pollMs);
    }
  }

  private tailFor(windowText: string): string {
    if (windowText.trim()) return tailText(windowText);
    const before = cleanConsoleText(this.history, 0, this.noise).text;
    return `(nothing new since the step began; before it:)\n${tailText(before, 600)}`;
  }

  async dispose(): Promise<void> {
    await this.pump().catch(() => false);
    await this.reader.close();
    await this.input?.close();
  }
}
