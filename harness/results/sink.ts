// The results stream: each result is appended to results.jsonl the moment it exists, so an
// interrupted run keeps everything already measured.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, State } from '../core/results.ts';

export class ResultSink {
  readonly results: CheckResult[] = [];
  readonly path: string;
  private listeners: Array<(r: CheckResult) => void> = [];

  constructor(runDir: string) {
    this.path = join(runDir, 'results.jsonl');
    writeFileSync(this.path, '');
  }

  onResult(listener: (r: CheckResult) => void): void {
    this.listeners.push(listener);
  }

  add(result: CheckResult): void {
    appendFileSync(this.path, JSON.stringify(result) + '\n');
    this.results.push(result);
    for (const l of this.listeners) l(result);
  }

  totals(): Record<State, number> {
    const t: Record<State, number> = { pass: 0, fail: 0, skip: 0, error: 0 };
    for (const r of this.results) t[r.state]++;
    return t;
  }
}
