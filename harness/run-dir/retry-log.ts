// retries.jsonl: the later attempts of checks that failed or errored, one JSON line each, beside
// results.jsonl (which keeps the first attempt, as it arrived). A check's final result is its
// last attempt; failed-then-passed is flaky, which is reported as such and is never a regression.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult, State } from '../core/results.ts';
import { parseResults } from './read.ts';
import { UsageError } from '../core/errors.ts';

export const RETRIES_FILE = 'retries.jsonl';

export interface RetryLine {
  /** 2 for the first retry, 3 for the next... (attempt 1 is in results.jsonl). */
  attempt: number;
  result: CheckResult;
}

export interface EffectiveResult {
  result: CheckResult;
  flaky: boolean;
  /** Every attempt, oldest first; empty when the check ran once. */
  attempts: { attempt: number; state: State; message: string; durationMs: number }[];
}

const key = (r: { cell: string; check: string }) => `${r.cell}\u0000${r.check}`;

export async function appendRetry(runDir: string, line: RetryLine): Promise<void> {
  await appendFile(join(runDir, RETRIES_FILE), JSON.stringify(line) + '\n');
}

/** The retries of a run directory; none when the file is absent. */
export async function readRetries(runDir: string | null): Promise<RetryLine[]> {
  if (runDir === null) return [];
  const file = join(runDir, RETRIES_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: RetryLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: { attempt?: unknown; result?: unknown };
    try {
      raw = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${i + 1}: not a JSON line. Fix: remove the damaged line, or the file.`);
    }
    if (typeof raw.attempt !== 'number' || raw.attempt < 2) throw new UsageError(`${file}:${i + 1}: field attempt: expected a number of 2 or more. Fix: give a retries.jsonl written by pvconform run --retries.`);
    const [result] = parseResults(JSON.stringify(raw.result) + '\n', `${file}:${i + 1} (result)`);
    out.push({ attempt: raw.attempt, result });
  });
  return out;
}

/** Each first result with its retries applied: the last attempt decides the state. */
export function applyRetries(first: CheckResult[], retries: RetryLine[]): EffectiveResult[] {
  const later = new Map<string, RetryLine[]>();
  for (const l of retries) later.set(key(l.result), [...(later.get(key(l.result)) ?? []), l]);
  return first.map((r) => {
    const more = (later.get(key(r)) ?? []).sort((a, b) => a.attempt - b.attempt);
    if (more.length === 0) return { result: r, flaky: false, attempts: [] };
    const last = more[more.length - 1].result;
    const attempts = [{ attempt: 1, state: r.state, message: r.message, durationMs: r.durationMs }, ...more.map((l) => ({ attempt: l.attempt, state: l.result.state, message: l.result.message, durationMs: l.result.durationMs }))];
    const flaky = (r.state === 'fail' || r.state === 'error') && last.state === 'pass';
    const message = flaky ? `flaky: ${r.state} on attempt 1 (${r.message.split('\n')[0]}), passed on attempt ${more[more.length - 1].attempt}: ${last.message}` : last.message;
    return { result: { ...last, message }, flaky, attempts };
  });
}

/** The final states counted, for the run's exit code. */
export function effectiveTotals(results: EffectiveResult[]): Record<State, number> {
  const t: Record<State, number> = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const e of results) t[e.result.state]++;
  return t;
}
