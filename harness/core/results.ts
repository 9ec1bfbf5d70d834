// The one record every part agrees on: a check's verdict in one cell.
// Written to results.jsonl as it arrives; every report is made from these lines alone.

/** pass: the promise held. fail: the guest broke a promise (or did not boot).
 *  skip: does not apply here, with why. error: the host or the harness broke. */
export type State = 'pass' | 'fail' | 'skip' | 'error';
export const STATES: readonly State[] = ['pass', 'fail', 'skip', 'error'];

/** Where a check's promise comes from: a manual-page sentence, or, where the page is
 *  silent, a fact from the source (guest-facts.md), marked as such. */
export type Citation =
  | { kind: 'man'; page: string; file: string; sentence: string }
  | { kind: 'source'; fact: string; where: string };

export interface Artifact {
  /** What it is: "console", "dmesg", "probe", "transcript", "xenstore-ls"... */
  kind: string;
  /** Path relative to the run directory. */
  path: string;
}

export interface CheckResult {
  /** Schema version of this record, bumped on incompatible change. */
  v: 1;
  /** Run identifier (the plan's hash plus start time); shards of one plan share `plan`. */
  run: string;
  plan: string;
  /** Cell id, `<guest>@<hypervisor config>`, e.g. `linux-ref@qemu`. */
  cell: string;
  guest: string;
  hypervisor: string;
  /** Check id, `<suite>/<name>`, e.g. `virtio.4/entropy`; the boot check is `boot/ssh`. */
  check: string;
  suite: string;
  state: State;
  message: string;
  citation: Citation | null;
  durationMs: number;
  startedAt: string;
  artifacts: Artifact[];
}

export function isState(s: unknown): s is State {
  return typeof s === 'string' && (STATES as readonly string[]).includes(s);
}

/** Worst-first ordering, used for a cell's colour and exit codes. */
export function worst(states: Iterable<State>): State | null {
  const rank: Record<State, number> = { error: 3, fail: 2, pass: 1, skip: 0 };
  let w: State | null = null;
  for (const s of states) if (w === null || rank[s] > rank[w]) w = s;
  return w;
}
