// The results stream: each result is appended to results.jsonl the moment it exists, so an
// interrupted run keeps everything already measured. Each line goes out in one write that is
// checked; a write the disk refuses (or cuts short) is undone back to the last whole line, so
// the file never holds a torn line, and the run stops with an OutputError naming the folder.
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckResult, State } from '../core/results.ts';
import { outputError } from './output-error.ts';

export class ResultSink {
  readonly results: CheckResult[] = [];
  readonly path: string;
  private listeners: Array<(r: CheckResult) => void> = [];
  private readonly fd: number;
  /** Bytes of whole lines written so far. */
  private size = 0;

  constructor(runDir: string) {
    this.path = join(runDir, 'results.jsonl');
    try {
      this.fd = openSync(this.path, 'w');
    } catch (e) {
      throw outputError(runDir, e, 'results.jsonl');
    }
  }

  onResult(listener: (r: CheckResult) => void): void {
    this.listeners.push(listener);
  }

  add(result: CheckResult): void {
    const line = Buffer.from(JSON.stringify(result) + '\n', 'utf8');
    try {
      const n = writeSync(this.fd, line, 0, line.length, this.size);
      if (n !== line.length) throw Object.assign(new Error(`short write (${n} of ${line.length} bytes)`), { code: 'ENOSPC' });
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        /* the size check below reports what is left */
      }
      throw outputError(dirname(this.path), e, 'results.jsonl');
    }
    this.size += line.length;
    this.results.push(result);
    for (const l of this.listeners) l(result);
  }

  /** Bytes on disk (for tests: always a whole number of lines). */
  bytesOnDisk(): number {
    return fstatSync(this.fd).size;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }

  totals(): Record<State, number> {
    const t: Record<State, number> = { pass: 0, fail: 0, skip: 0, error: 0 };
    for (const r of this.results) t[r.state]++;
    return t;
  }
}
