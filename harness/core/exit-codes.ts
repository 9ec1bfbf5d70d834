// Exit codes of `pvconform run` (QEMU tests/vm's convention).
export const EXIT = {
  ok: 0, // every check passed or was skipped
  usage: 1, // bad command line or config
  infra: 2, // the environment or the harness broke (some result is `error`)
  failed: 3, // a check failed
} as const;
