// A fresh guest per suite: the guest's state is saved once when it is ready (QEMU `savevm`) and
// loaded back in the same process (`loadvm`) before each later suite, RAM and disks alike.
// In-process loadvm beat the alternatives measured here (lab.md §2: loadvm 0.11-0.14 s against
// about 1 s to SSH for a new QEMU started with -incoming from a migration file, and 0.6-0.7 s for
// a new QEMU with -loadvm), and it keeps the slirp port, so only SSH has to be opened again.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BootError, GuestPanicError, InfraError, TrustError } from '../../core/errors.ts';
import type { Timeouts } from '../../core/timeouts.ts';
import type { Shell, SshEndpoint } from '../../core/shell.ts';
import { connectSsh } from '../../transport/ssh.ts';
import { PANIC_PATTERNS, tailOf, waitForAny } from '../../qemu/console-log.ts';
import { createBlank } from '../../qemu/qemu-img.ts';
import type { Qmp } from '../../qemu/qmp.ts';

const TAG = 'pvconform-fresh';

/** savevm needs a writable qcow2 for the machine state. A direct-boot guest offered no disk has
 *  none, so each cell gets a small scratch one, attached to no device: the guest never sees it. */
export async function snapshotStoreArgs(workDir: string): Promise<string[]> {
  const path = join(workDir, 'vmstate.qcow2');
  await createBlank(path, 1024 * 1024);
  return ['-drive', `if=none,id=pvcstate,file=${path},format=qcow2`];
}

/** HMP answers errors as text rather than a QMP error. */
async function hmpOk(qmp: Qmp, commandLine: string, timeoutMs: number): Promise<void> {
  const said = (await qmp.execute<string>('human-monitor-command', { 'command-line': commandLine }, timeoutMs)).trim();
  if (said) throw new InfraError(`QEMU \`${commandLine}\` failed: ${said.split('\n')[0]}`);
}

export interface FreshStateDeps {
  qmp: Qmp;
  endpoint: SshEndpoint;
  consoleLog: string;
  readyMarker?: string;
  timeouts: Timeouts;
  signal: AbortSignal;
}

/** The saved state of one cell's guest, and fresh guests made from it. */
export class FreshState {
  private saved = false;
  /** How long savevm took (the guest is paused meanwhile). */
  saveMs = 0;
  constructor(private readonly deps: FreshStateDeps) {}

  /** Saves the running guest (it pauses for a few tenths of a second, then runs on). */
  async save(): Promise<void> {
    const started = Date.now();
    await hmpOk(this.deps.qmp, `savevm ${TAG}`, this.deps.timeouts.commandMs);
    this.saveMs = Date.now() - started;
    this.saved = true;
  }

  /** A guest as it was when saved, reached over a new SSH connection (connections made before the
   *  restore are dead). With `coldBoot`, the restored guest is then reset and boots again from its
   *  unchanged disks: for checks that must see a boot of their own. */
  async restore(opts: { coldBoot?: boolean } = {}): Promise<Shell> {
    const { qmp, timeouts, signal } = this.deps;
    if (!this.saved) throw new InfraError('no saved guest state to restore (the cell was booted without snapshots)');
    const started = Date.now();
    await hmpOk(qmp, `loadvm ${TAG}`, timeouts.commandMs);
    if (opts.coldBoot) await this.reboot(started + timeouts.bootMs);
    try {
      return await connectSsh(this.deps.endpoint, { deadline: started + timeouts.bootMs, connectTimeoutMs: timeouts.connectMs, commandTimeoutMs: timeouts.commandMs, signal });
    } catch (e) {
      if (e instanceof TrustError) throw e;
      throw new InfraError(`the restored guest did not answer SSH: ${(e as Error).message}`, { cause: e });
    }
  }

  /** A reset with the console watched from here on: the boot after it must reach the marker. */
  private async reboot(deadline: number): Promise<void> {
    const { qmp, consoleLog, readyMarker, signal } = this.deps;
    const from = (await stat(consoleLog).catch(() => null))?.size ?? 0;
    // -no-reboot turns every reset into an exit; allow this one.
    await qmp.execute('set-action', { reboot: 'reset' });
    try {
      await qmp.execute('system_reset');
      if (!readyMarker) return;
      const seen = await waitForAny(consoleLog, [readyMarker, ...PANIC_PATTERNS], deadline, signal, from);
      if (seen === readyMarker) return;
      const tail = await tailOf(consoleLog, 30);
      if (seen) throw new GuestPanicError(seen.trim(), tail);
      throw new BootError(`the guest did not come up again after its cold reboot: no "${readyMarker}" on the console`, tail);
    } finally {
      await qmp.execute('set-action', { reboot: 'shutdown' }).catch(() => {});
    }
  }
}
