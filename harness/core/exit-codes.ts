// Exit codes of `pvconform run` (QEMU tests/vm's convention).
export const EXIT = {
  ok: 0, // every check passed or was skipped
  usage: 1, // bad command line or config
  infra: 2, // the environment or the harness broke (some result is `error`)
  failed: 3, // a check failed
} as const;

/** A run's exit status from its totals: a failed check wins over an infrastructure error. */
export function exitCodeFor(totals: { fail: number; error: number }): number {
  if (totals.fail > 0) return EXIT.failed;
  if (totals.error > 0) return EXIT.infra;
  return EXIT.ok;
}
