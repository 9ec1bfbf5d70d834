// Exit codes of `pvconform run` (QEMU tests/vm's convention, plus "nothing checked").
export const EXIT = {
  ok: 0, // every check passed or was skipped, and something was checked
  usage: 1, // bad command line or config
  infra: 2, // the environment or the harness broke (some result is `error`)
  failed: 3, // a check failed
  nothingChecked: 4, // no check passed or failed, or a planned cell had no image
} as const;

export interface ExitInputs {
  fail: number;
  error: number;
  pass: number;
  /** Planned cells that could not run for lack of their image. */
  cellsWithoutImage?: number;
  /** The user said missing images are fine (`--allow-missing-images`). */
  allowMissingImages?: boolean;
}

/** A run's exit status from its totals: a failed check wins over an infrastructure error, and a
 *  run that checked nothing is never green. */
export function exitCodeFor(t: ExitInputs): number {
  if (t.fail > 0) return EXIT.failed;
  if (t.error > 0) return EXIT.infra;
  if (!t.allowMissingImages && (t.cellsWithoutImage ?? 0) > 0) return EXIT.nothingChecked;
  if (t.pass === 0) return EXIT.nothingChecked;
  return EXIT.ok;
}
