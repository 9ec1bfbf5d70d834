// The one record every part agrees on: a check's verdict in one cell.
// Written to results.jsonl as it arrives; every report is made from these lines alone.

import { z } from 'zod';

/** pass: the promise held. fail: the guest broke a promise (or did not boot).
 *  skip: does not apply here, with why. error: the host or the harness broke. */
export const STATES = ['pass', 'fail', 'skip', 'error'] as const;
export type State = (typeof STATES)[number];

/** The check every cell has first: did the guest boot and answer SSH. */
export const BOOT_CHECK = 'boot/ssh';

/** Where a check's promise comes from: a manual-page sentence, or, where the page is
 *  silent, a fact from the source (guest-facts.md), marked as such. */
export const citationSchema = z.union([
  z.object({ kind: z.literal('man'), page: z.string(), file: z.string(), sentence: z.string() }),
  z.object({ kind: z.literal('source'), fact: z.string(), where: z.string() }),
]);
export type Citation = z.infer<typeof citationSchema>;

export const artifactSchema = z.object({
  /** What it is: "console", "dmesg", "probe", "transcript", "xenstore-ls"... */
  kind: z.string(),
  /** Path relative to the run directory. */
  path: z.string(),
});
export type Artifact = z.infer<typeof artifactSchema>;

/** One line of results.jsonl. The TypeScript type is derived from this schema, which also
 *  validates the lines a report reads back (run-dir/read.ts): one definition for both. */
export const checkResultSchema = z.object({
  /** Schema version of this record, bumped on incompatible change. */
  v: z.literal(1),
  /** Run identifier (the plan's hash plus start time); shards of one plan share `plan`. */
  run: z.string(),
  plan: z.string(),
  /** Cell id, `<guest>@<hypervisor config>`, e.g. `linux-ref@qemu`. */
  cell: z.string().min(1),
  guest: z.string(),
  hypervisor: z.string(),
  /** Check id, `<suite>/<name>`, e.g. `virtio.4/entropy`; the boot check is BOOT_CHECK. */
  check: z.string().min(1),
  suite: z.string(),
  state: z.enum(STATES),
  message: z.string(),
  citation: citationSchema.nullable(),
  durationMs: z.number(),
  startedAt: z.string(),
  artifacts: z.array(artifactSchema),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

/** Worst-first ordering, used for a cell's colour and exit codes. */
export function worst(states: Iterable<State>): State | null {
  const rank: Record<State, number> = { error: 3, fail: 2, pass: 1, skip: 0 };
  let w: State | null = null;
  for (const s of states) if (w === null || rank[s] > rank[w]) w = s;
  return w;
}
