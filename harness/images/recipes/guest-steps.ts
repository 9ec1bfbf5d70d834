// Configuring a guest over its console: a list of named shell steps that must each exit 0,
// and reading back the SSH host key to pin.
import type { ConsoleShell } from '../../console/shell.ts';
import { InfraError } from '../../core/errors.ts';

export interface GuestStep {
  /** What it makes true, in words ("sshd is enabled and running"). */
  what: string;
  command: string;
  timeoutMs?: number;
}

export async function runSteps(sh: ConsoleShell, steps: GuestStep[], log: (m: string) => void, defaultTimeoutMs: number): Promise<void> {
  for (const s of steps) {
    log(`configure: ${s.what}`);
    await sh.check(s.command, { timeoutMs: s.timeoutMs ?? defaultTimeoutMs, step: `configure: ${s.what}` });
  }
}

/** The guest's ed25519 host key, as one `ssh-ed25519 AAAA...` line. */
export async function readHostKey(sh: ConsoleShell, timeoutMs: number): Promise<string> {
  const out = await sh.check('cat /etc/ssh/ssh_host_ed25519_key.pub', { timeoutMs, step: 'read the host key' });
  const m = /(ssh-ed25519 [A-Za-z0-9+/=]+)/.exec(out);
  if (!m) throw new InfraError(`the guest's /etc/ssh/ssh_host_ed25519_key.pub does not hold an ed25519 key: ${out.slice(0, 200)}`);
  return m[1];
}
