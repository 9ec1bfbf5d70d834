// The nested Xen host: vm-images/xen-host booted under QEMU TCG, reached over SSH through a
// user-net port. Restored from a saved machine state when one matches (about 2 s), else booted
// cold (about 15 s on an idle machine) and saved for next time. One process, killed on every
// exit path.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { InfraError, describe } from '../../core/errors.ts';
import { removeOnCleanup } from '../../core/cleanup.ts';
import type { SshEndpoint } from '../../core/shell.ts';
import { parseUsernetHostPort } from '../../qemu/qmp.ts';
import { QemuProcess } from '../../qemu/process.ts';
import { tailOf, waitForText } from '../../qemu/console-log.ts';
import type { XenHostImage } from '../../../vm-images/xen-host/image.ts';
import { nestedArgs } from './nested-command-line.ts';
import { hasSnapshot, loadMachineState, saveMachineState, snapshotPath } from './host-snapshot.ts';
import { QEMU_WAITS } from '../../core/timeouts.ts';

export interface NestedHostOptions {
  image: XenHostImage;
  /** Where the host's serial console (Xen and dom0) is written; kept after the run. */
  consoleLog: string;
  /** Cold boot to XEN-HOST-READY. */
  bootTimeoutMs: number;
  /** Use (and make) the saved machine state. */
  snapshot: boolean;
  log(message: string): void;
  signal?: AbortSignal;
}

export class NestedXenHost {
  private stopped = false;

  private constructor(
    private readonly qemu: QemuProcess,
    private readonly scratch: string,
    private readonly undo: Array<() => void>,
    readonly endpoint: SshEndpoint,
    readonly consoleLog: string,
    /** From QEMU start to dom0's toolstack being ready (before SSH). */
    readonly startMs: number,
    readonly restored: boolean,
  ) {}

  get running(): boolean {
    return !this.stopped && this.qemu.running;
  }

  static async start(opts: NestedHostOptions): Promise<NestedXenHost> {
    const snapshot = opts.snapshot ? await snapshotPath(opts.image) : null;
    if (snapshot && (await hasSnapshot(snapshot))) {
      try {
        return await NestedXenHost.launch(opts, snapshot);
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        // A state file QEMU cannot load is a stale cache entry, not a host failure: say so, drop it.
        opts.log(`restoring the saved Xen host state failed (${describe(e)}); removing it and booting cold`);
        await rm(snapshot, { force: true });
      }
    }
    return NestedXenHost.launch(opts, null, snapshot);
  }

  private static async launch(opts: NestedHostOptions, restoreFrom: string | null, saveTo: string | null = null): Promise<NestedXenHost> {
    const started = Date.now();
    const scratch = await mkdtemp(join(tmpdir(), 'pvconform-xen-host-'));
    const undo: Array<() => void> = [removeOnCleanup(scratch)];
    await mkdir(join(opts.consoleLog, '..'), { recursive: true });
    const qmpSocket = join(scratch, 'qmp.sock');
    const args = nestedArgs(opts.image, { consoleLog: opts.consoleLog, qmpSocket }, restoreFrom !== null);
    const qemu = QemuProcess.start({ what: "the nested Xen host's QEMU", args });
    // Its state is never needed again once stopped (a fresh host is restored next time): no quit.
    const kill = async () => {
      await qemu.stop({ quitMs: 0, termMs: 0 });
      for (const u of undo) u();
      await rm(scratch, { recursive: true, force: true });
    };
    try {
      const deadline = started + opts.bootTimeoutMs;
      const qmp = await qemu.connectQmp(qmpSocket, Math.min(deadline, Date.now() + QEMU_WAITS.qmpConnectMs));
      if (restoreFrom) {
        await qemu.whileRunning(loadMachineState(qmp, restoreFrom, QEMU_WAITS.stateLoadMs));
      } else {
        const seen = await qemu.whileRunning(waitForText(opts.consoleLog, opts.image.readyMarker, deadline, opts.signal));
        if (!seen) {
          if (opts.signal?.aborted) throw new InfraError('aborted while the nested Xen host was booting');
          throw new InfraError(`the nested Xen host did not come up: no "${opts.image.readyMarker}" within ${Math.round(opts.bootTimeoutMs / 1000)} s; console tail:\n${await tailOf(opts.consoleLog, 20)}`);
        }
        if (saveTo) {
          // Saved before any SSH session exists, so a restored dom0 carries no dead connection.
          const t = Date.now();
          const size = await qemu.whileRunning(saveMachineState(qmp, saveTo, QEMU_WAITS.stateSaveMs));
          opts.log(`saved the Xen host state (${(size / 1e6).toFixed(0)} MB) in ${((Date.now() - t) / 1000).toFixed(1)} s for the next runs`);
        }
      }
      const port = parseUsernetHostPort(await qmp.hmp('info usernet'), 22);
      if (!port) throw new InfraError('QEMU did not report the forwarded SSH port of the nested Xen host');
      const endpoint: SshEndpoint = { host: '127.0.0.1', port, user: opts.image.user, privateKeyPath: opts.image.files.clientKey, hostKey: opts.image.hostKey };
      return new NestedXenHost(qemu, scratch, undo, endpoint, opts.consoleLog, Date.now() - started, restoreFrom !== null);
    } catch (e) {
      await kill();
      throw e;
    }
  }

  /** Why the host is gone, for messages when dom0 stops answering. */
  async whyDown(): Promise<string> {
    const state = this.running ? 'QEMU is still running' : `QEMU exited (${this.qemu.child.exitCode ?? this.qemu.child.signalCode})`;
    return `${state}; console tail:\n${await tailOf(this.consoleLog, 15)}`;
  }

  /** Kills the machine: its state is never needed again (a fresh host is restored next time). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.qemu.stop({ quitMs: 0, termMs: 0 });
    for (const u of this.undo) u();
    await rm(this.scratch, { recursive: true, force: true });
  }
}
