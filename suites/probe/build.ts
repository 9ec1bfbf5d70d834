// Builds the probe inside the guest with the guest's own cc: the same source on OpenBSD (with
// its <dev/pv/pvvar.h>) and NetBSD. One build per source version, kept in /tmp for the machine's life.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Shell } from '../../harness/core/shell.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { shq } from './shell-quote.ts';

export const PROBE_SOURCE = fileURLToPath(new URL('./pvprobe.c', import.meta.url));

/** The compiler flags used in guests. No -Werror there: a new compiler's new warning must not turn
 *  every check into an error; CI holds the source to -Werror instead (test/probe). */
export const GUEST_CFLAGS = ['-Wall', '-Wextra', '-O2'];

export interface BuiltProbe {
  path: string;
  /** What cc printed (warnings), empty when clean. */
  compilerOutput: string;
}

export function probeDirectory(): string {
  const hash = createHash('sha256').update(readFileSync(PROBE_SOURCE)).digest('hex').slice(0, 12);
  return `/tmp/pvconform-probe-${hash}`;
}

export async function buildProbe(sh: Shell): Promise<BuiltProbe> {
  const dir = probeDirectory();
  const bin = `${dir}/pvprobe`;
  const present = await sh.exec(`test -x ${shq(bin)} && echo present`);
  if (present.stdout.trim() === 'present') return { path: bin, compilerOutput: '' };
  // World-readable and executable: the permission checks run it as unprivileged users.
  const mk = await sh.exec(`mkdir -p ${shq(dir)} && chmod 755 ${shq(dir)}`);
  if (mk.code !== 0) throw new InfraError(`cannot create ${dir} in the guest: ${mk.stderr.trim()}`);
  await sh.upload(PROBE_SOURCE, `${dir}/pvprobe.c`);
  const cc = await sh.exec(
    `cd ${shq(dir)} && cc ${GUEST_CFLAGS.join(' ')} -o pvprobe.new pvprobe.c 2>&1 && chmod 755 pvprobe.new && mv pvprobe.new pvprobe`,
    { timeoutMs: 180_000 },
  );
  if (cc.code !== 0) {
    const why = /cc: (?:command )?not found|No such file/.test(cc.stdout + cc.stderr) ? ' (is the compiler set, comp*.tgz, installed?)' : '';
    throw new InfraError(`building the probe in the guest failed (exit ${cc.code})${why}: ${(cc.stdout + cc.stderr).trim().slice(0, 2000)}`);
  }
  return { path: bin, compilerOutput: cc.stdout.trim() };
}
