// What the OpenBSD and NetBSD suites need from a guest beyond GuestAdapter: root, an unprivileged
// user, the live kernel message buffer and the probe. The adapters in harness/guests/openbsd and
// harness/guests/netbsd implement it.
import type { GuestAdapter } from '../../harness/core/guest-adapter.ts';
import type { ExecOptions, ExecResult, Shell } from '../../harness/core/shell.ts';
import type { CheckContext } from '../../harness/core/checks.ts';
import { InfraError } from '../../harness/core/errors.ts';
import type { BuiltProbe } from './build.ts';

/** outsider: in no group that can open /dev/pvbus* (root:wheel 0640); wheel: in wheel, so it can
 *  open the nodes read-only but not read-write (guest-facts.md §3). */
export type UserRole = 'outsider' | 'wheel';

export interface ProbeGuest extends GuestAdapter {
  /** Runs a command as root (directly when the SSH user is root, else doas/sudo/su). */
  asRoot(sh: Shell, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Runs a command as the given local user (through su from root). */
  asUser(sh: Shell, user: string, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Creates the user for this role once and returns its name; InfraError when it cannot. */
  ensureUser(sh: Shell, role: UserRole): Promise<string>;
  /** The kernel message buffer as it is now (boot messages plus later console messages). */
  kernelMessages(sh: Shell): Promise<string>;
  /** Uploads and builds the probe once per connection: the binary's path and cc's warnings. */
  probe(sh: Shell): Promise<BuiltProbe>;
}

export function isProbeGuest(g: GuestAdapter): g is ProbeGuest {
  const p = g as Partial<ProbeGuest>;
  return typeof p.asRoot === 'function' && typeof p.asUser === 'function' && typeof p.ensureUser === 'function' && typeof p.probe === 'function';
}

export function probeGuest(ctx: CheckContext): ProbeGuest {
  if (!isProbeGuest(ctx.guest)) throw new InfraError(`the ${ctx.guest.os} guest adapter cannot run the pvbus/xenbus probe (no asRoot/ensureUser/probe)`);
  return ctx.guest;
}
