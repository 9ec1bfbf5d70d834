// Answers an installer's prompts from a table until a finishing line appears. Each prompt is a
// regex anchored on the installer's exact wording (and usually on the end of the text, since a
// prompt waits with nothing after it), so a similar line cannot trigger the wrong answer; every
// entry says where its wording comes from.
import { InfraError } from '../../core/errors.ts';
import type { ConsoleSession } from '../../console/session.ts';
import { tailText } from '../../console/session.ts';

export interface PromptRule {
  id: string;
  prompt: RegExp;
  /** What to type (a newline follows). A function sees the prompt's match (e.g. a menu number
   *  in it) and how many times this prompt has now appeared (1 the first time). */
  answer: string | ((m: RegExpExecArray, occurrence: number) => string);
  /** How often it may appear in one drive (a prompt that keeps coming back means a loop). */
  max?: number;
  secret?: boolean;
  /** False for a single keypress (a boot loader's countdown or menu reads one key, and a
   *  stray newline would be read as the next command). Default true. */
  newline?: boolean;
  /** Where the prompt's wording comes from. */
  source: string;
}

export interface FailureRule {
  id: string;
  pattern: RegExp;
  /** What it means, for the error. */
  meaning: string;
  source: string;
}

export interface DoneRule {
  id: string;
  pattern: RegExp;
  source: string;
}

export class InstallerError extends InfraError {
  override name = 'InstallerError';
}

export interface DriveOptions {
  step: string;
  timeoutMs: number;
  signal?: AbortSignal;
  log(message: string): void;
}

export interface DriveResult {
  done: DoneRule;
  match: RegExpExecArray;
  /** Rule ids in the order they were answered. */
  answered: string[];
}

/** Waits for the earliest of: a failure (throws), a finishing line (returns), a prompt (answers
 *  it and keeps going). */
export async function drivePrompts(
  session: ConsoleSession,
  table: { prompts: readonly PromptRule[]; failures: readonly FailureRule[]; done: readonly DoneRule[] },
  opts: DriveOptions,
): Promise<DriveResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const answered: string[] = [];
  const counts = new Map<string, number>();
  const patterns = [...table.failures.map((f) => f.pattern), ...table.done.map((d) => d.pattern), ...table.prompts.map((p) => p.prompt)];
  const nf = table.failures.length;
  const nd = table.done.length;
  for (;;) {
    const left = deadline - Date.now();
    const hit = await session.expect(patterns, {
      step: opts.step,
      timeoutMs: Math.max(1, left),
      signal: opts.signal,
      what: `the next installer prompt, or ${table.done.map((d) => d.id).join(' / ')}`,
    });
    if (hit.index < nf) {
      const f = table.failures[hit.index];
      throw new InstallerError(`${opts.step}: ${f.meaning} (saw "${hit.match[0].trim()}"); the console's last lines were:\n${tailText(hit.text)}`);
    }
    if (hit.index < nf + nd) return { done: table.done[hit.index - nf], match: hit.match, answered };
    const rule = table.prompts[hit.index - nf - nd];
    const n = (counts.get(rule.id) ?? 0) + 1;
    counts.set(rule.id, n);
    if (n > (rule.max ?? 1))
      throw new InstallerError(`${opts.step}: the prompt "${rule.id}" came ${n} times; the installer is going round in circles. The console's last lines were:\n${tailText(hit.text)}`);
    const text = typeof rule.answer === 'string' ? rule.answer : rule.answer(hit.match, n);
    opts.log(`${opts.step}: ${rule.id} -> ${rule.secret ? '<secret>' : JSON.stringify(text)}`);
    answered.push(rule.id);
    await session.send(rule.newline === false ? text : text + '\n', opts.step, rule.secret);
  }
}
