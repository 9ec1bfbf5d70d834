// The console conversation as JSON lines, kept beside the results: what was sent, what came
// back, what each wait matched or missed, with wall-clock times (anita's structured log).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type TranscriptEvent =
  | { ev: 'send'; step: string; data: string }
  | { ev: 'recv'; offset: number; data: string }
  | { ev: 'wait'; step: string; awaited: string[]; offset: number; timeoutMs: number }
  | { ev: 'match'; step: string; awaited: string; offset: number; end: number; text: string }
  | { ev: 'timeout'; step: string; awaited: string[]; offset: number; tail: string }
  | { ev: 'closed'; step: string; awaited: string[]; reason: string }
  | { ev: 'status'; step: string; command: string; status: number }
  | { ev: 'note'; step: string; text: string };

export interface TranscriptLine {
  /** ISO time. */
  t: string;
  /** Milliseconds since the transcript was opened. */
  ms: number;
}

export class Transcript {
  private readonly started = Date.now();

  /** `path` null keeps nothing (a caller that does not want a transcript). Appends synchronously
   *  so the file is complete even if the process dies right after. */
  constructor(readonly path: string | null) {
    if (path) mkdirSync(dirname(path), { recursive: true });
  }

  write(event: TranscriptEvent): void {
    if (!this.path) return;
    const line: TranscriptLine & TranscriptEvent = { t: new Date().toISOString(), ms: Date.now() - this.started, ...event };
    appendFileSync(this.path, JSON.stringify(line) + '\n');
  }
}
