// What the history keeps of one run: the plan's cells, each planned check's final result (with
// its attempts when it was retried), the run's figures and the environment that explains a change.
import type { Citation, State } from '../core/results.ts';

export interface Environment {
  harnessVersion: string | null;
  gitCommit: string | null;
  node: string;
  hostKernel: string | null;
  qemu: string | null;
  xen: string | null;
  /** The cached images the run could use: name, key and recipe version. */
  images: { name: string; key: string; recipeVersion: number | null }[];
}

export interface Attempt {
  attempt: number;
  state: State;
  message: string;
  durationMs: number;
}

export interface HistoryResult {
  cell: string;
  check: string;
  suite: string;
  guest: string;
  hypervisor: string;
  /** The final state: a retry's pass wins over an earlier failure. */
  state: State;
  /** Failed or errored, then passed on a retry. */
  flaky: boolean;
  message: string;
  citation: Citation | null;
  durationMs: number;
  startedAt: string;
  /** Every attempt, oldest first, when the check was retried; empty otherwise. */
  attempts: Attempt[];
}

export interface RunRecord {
  id: string;
  plan: string;
  source: string | null;
  startedAt: string;
  finishedAt: string | null;
  exitCode: number | null;
  shard: { index: number; count: number } | null;
  runDir: string | null;
  environment: Environment;
  figures: unknown[];
  cells: { id: string; guest: string; hypervisor: string; suites: string[] }[];
  results: HistoryResult[];
}

/** One run as `pvconform history` lists it. */
export interface RunSummary {
  id: string;
  plan: string;
  startedAt: string;
  exitCode: number | null;
  gitCommit: string | null;
  counts: Record<State, number>;
  flaky: number;
}

/** One check in one cell over time, oldest first. */
export interface CheckTimeline {
  cell: string;
  check: string;
  states: { run: string; startedAt: string; state: State; flaky: boolean }[];
  /** Changes between pass and fail/error from one run to the next, per pair of runs (0..1). */
  flipRate: number;
  flakyRuns: number;
}
