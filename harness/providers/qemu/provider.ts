// QEMU: one process per cell, booted from overlays, controlled over QMP, reached over SSH
// through a slirp port QEMU picked itself.
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { BootError, InfraError, TrustError, describe } from '../../core/errors.ts';
import { removeOnCleanup } from '../../core/cleanup.ts';
import type { BootSpec, Machine, Provider } from '../provider.ts';
import type { HypervisorConfigBase } from '../plugin.ts';
import type { QemuConfig } from './config.ts';
import { offeredInterfaces, refuseEnlightenmentsWithoutKvm } from './hyperv-enlightenments.ts';
import type { Offers, VirtioClass } from '../../core/offers.ts';
import { parseUsernetHostPort } from '../../qemu/qmp.ts';
import { QemuProcess } from '../../qemu/process.ts';
import { createBlank, createOverlay } from '../../qemu/qemu-img.ts';
import { macFor, qemuArgs, type QemuPaths } from './command-line.ts';
import { probeKvm } from '../../qemu/kvm-probe.ts';
import { connectSsh, HostUnreachableError } from '../../transport/ssh.ts';
import { PANIC_PATTERNS, tailOf, waitForAny } from '../../qemu/console-log.ts';
import { QEMU_WAITS } from '../../core/timeouts.ts';
import { FreshState, snapshotStoreArgs } from './snapshot.ts';
import type { Shell } from '../../core/shell.ts';

export interface QemuBootOptions {
  /** Extra kernel arguments for this cell (the guest config's). */
  extraKernelArgs?: string;
  /** Tells the user once why KVM is not used. */
  notice?: (message: string) => void;
}

export class QemuProvider implements Provider<QemuConfig> {
  readonly family = 'qemu' as const;
  private noticeGiven = false;
  constructor(private readonly options: QemuBootOptions = {}) {}

  async slowdown(config: HypervisorConfigBase, kernel: string | null): Promise<number> {
    return (await this.chooseAccel(config as QemuConfig, kernel)) === 'tcg' ? 2 : 1;
  }

  /** Decides the accelerator: `auto` means KVM only if the timed probe shows it runs a guest. */
  async chooseAccel(config: QemuConfig, kernel: string | null): Promise<'kvm' | 'tcg'> {
    if (config.accel === 'tcg') return 'tcg';
    const verdict = await probeKvm(kernel);
    if (verdict.usable) return 'kvm';
    if (config.accel === 'kvm') throw new InfraError(`accel: kvm was asked for, but ${verdict.reason}`);
    if (!this.noticeGiven) this.options.notice?.(`KVM not usable, falling back to TCG: ${verdict.reason}`);
    this.noticeGiven = true;
    return 'tcg';
  }

  offersBeforeBoot(config: HypervisorConfigBase): Partial<Offers> {
    return { family: 'qemu', virtio: (config as QemuConfig).devices as VirtioClass[], kvStore: null };
  }

  async boot(spec: BootSpec<QemuConfig>, signal: AbortSignal): Promise<Machine> {
    const config = spec.hypervisor as QemuConfig;
    if (config.provider !== 'qemu') throw new InfraError(`QEMU provider given a ${config.provider} config`);
    const started = Date.now();
    const image = spec.image;
    const accel = await this.chooseAccel(config, image.boot.kind === 'kernel' ? image.boot.kernel : null);
    if (config.hyperv && accel !== 'kvm') refuseEnlightenmentsWithoutKvm(config, accel, (await probeKvm(image.boot.kind === 'kernel' ? image.boot.kernel : null)).reason);

    await mkdir(spec.workDir, { recursive: true });
    await mkdir(spec.artifactsDir, { recursive: true });
    const unRemoveWork = removeOnCleanup(spec.workDir);
    const paths: QemuPaths = {
      consoleLog: join(spec.artifactsDir, 'console.log'),
      qmpSocket: join(spec.workDir, 'qmp.sock'),
      systemOverlay: image.boot.kind === 'disk' ? join(spec.workDir, 'system.qcow2') : null,
      blkOverlay: join(spec.workDir, 'blk.qcow2'),
      scsiOverlay: join(spec.workDir, 'scsi.qcow2'),
      virtconsoleLog: join(spec.artifactsDir, 'virtconsole.log'),
    };
    const mac = macFor(spec.cellId);
    let qemu: QemuProcess | null = null;
    let stopped = false;
    let shell: Shell | null = null;

    const teardown = async (graceful: boolean) => {
      if (stopped) return;
      stopped = true;
      await shell?.close().catch(() => {}); // a no-op when its new owner closed it already
      // ACPI power-off first when graceful (a BSD syncs its disks), then the hard stops.
      await qemu?.stop(graceful ? { powerdownMs: spec.timeouts.shutdownMs } : {});
      await rm(spec.workDir, { recursive: true, force: true });
      unRemoveWork();
    };

    const onAbort = () => void teardown(false);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // The overlays side by side: each qemu-img is a process start (~30-90 ms under load).
      const disks: Array<Promise<unknown>> = [];
      if (paths.systemOverlay && image.boot.kind === 'disk') disks.push(createOverlay(image.boot.disk, image.boot.format, paths.systemOverlay));
      const offered = new Set(config.devices as VirtioClass[]);
      for (const [cls, overlay] of [['blk', paths.blkOverlay], ['scsi', paths.scsiOverlay]] as const) {
        if (!offered.has(cls)) continue;
        disks.push(image.dataDiskBase ? createOverlay(image.dataDiskBase, 'qcow2', overlay) : createBlank(overlay, 64 * 1024 * 1024));
      }
      const stateStore = spec.freshPerSuite ? snapshotStoreArgs(spec.workDir) : Promise.resolve([]);
      disks.push(stateStore);
      // All settle before a failure is thrown, so no qemu-img still writes when teardown cleans up.
      const failed = (await Promise.allSettled(disks)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const args = [...qemuArgs(image, config, paths, { accel, mac, extraKernelArgs: spec.extraKernelArgs ?? '' }), ...(await stateStore)];
      spec.log(`starting QEMU (${accel})`);
      const proc = (qemu = QemuProcess.start({ what: `QEMU of ${spec.cellId}`, args }));
      const exited = proc.exited;

      const deadline = started + spec.timeouts.bootMs;
      const qmp = await proc.connectQmp(paths.qmpSocket, Math.min(deadline, Date.now() + QEMU_WAITS.qmpConnectMs));
      const usernet = await qmp.hmp('info usernet');
      const port = parseUsernetHostPort(usernet, 22);
      if (!port) throw new InfraError(`QEMU did not report the forwarded SSH port (info usernet said: ${usernet.trim().slice(0, 200)})`);

      // Readiness: the console marker is the cheapest signal; SSH confirms it.
      const whyDown = async (what: string) => {
        const tail = await tailOf(paths.consoleLog, 30);
        // QEMU killed or crashed by a signal: the host's trouble, whatever the guest was doing.
        if (proc.child.signalCode) return new InfraError(`QEMU died of ${proc.child.signalCode} while the guest was starting (${what.replace(/^the guest did not come up: /, '')})`);
        return new BootError(`${what}; console tail:\n${tail}`, tail);
      };
      if (image.readyMarker) {
        const seen = await Promise.race([
          waitForAny(paths.consoleLog, [image.readyMarker, ...PANIC_PATTERNS], deadline, signal),
          exited.then(() => 'exited' as const),
        ]);
        if (seen === 'exited') throw await whyDown(`the guest did not come up: QEMU exited before "${image.readyMarker}"${proc.stderrTail(1) ? ` (${proc.stderrTail(1)})` : ''}`);
        if (seen === null) throw await whyDown(`the guest did not come up: no "${image.readyMarker}" on the console within ${Math.round(spec.timeouts.bootMs / 1000)} s`);
        if (seen !== image.readyMarker) {
          await new Promise((r) => setTimeout(r, 1_000)); // let the rest of the panic reach the log
          throw await whyDown(`the guest did not come up: its kernel panicked ("${seen.trim()}" on the console)`);
        }
      }
      if (signal.aborted) throw new InfraError('aborted');
      const endpoint = { host: '127.0.0.1', port, user: image.ssh.user, privateKeyPath: image.ssh.privateKeyPath, hostKey: image.ssh.hostKey };
      // Saved before the first SSH session where the marker allows, so no restored guest holds a
      // dead session; the guest saved is the one that goes on running.
      const fresh = spec.freshPerSuite ? new FreshState({ qmp, endpoint, consoleLog: paths.consoleLog, readyMarker: image.readyMarker, timeouts: spec.timeouts, signal }) : null;
      const saveAtMarker = fresh !== null && image.readyMarker !== undefined && !spec.prepareFresh;
      // A state that cannot be saved costs the cell its fresh guests, not its results.
      const save = () => fresh!.save().then(() => true, (e) => (spec.log(`cannot save the guest's state, so its suites share one guest: ${describe(e)}`), false));
      let saved = saveAtMarker && (await save());
      try {
        const probe = await Promise.race([
          connectSsh(endpoint, { deadline, connectTimeoutMs: spec.timeouts.connectMs, commandTimeoutMs: spec.timeouts.commandMs, signal }),
          exited.then(() => null),
        ]);
        if (probe === null) throw await whyDown('the guest did not come up: QEMU exited before SSH answered');
        shell = probe;
      } catch (e) {
        if (e instanceof BootError) throw e;
        if (e instanceof TrustError || e instanceof HostUnreachableError) throw e; // not the guest's fault
        throw await whyDown(`the guest did not answer SSH within ${Math.round(spec.timeouts.bootMs / 1000)} s: ${describe(e)}`);
      }
      const bootToSshMs = Date.now() - started;
      spec.log(`SSH up after ${(bootToSshMs / 1000).toFixed(1)} s`);
      if (fresh && !saveAtMarker) {
        await spec.prepareFresh?.(shell).catch((e) => spec.log(`preparing the guest before saving its state failed (each suite will do it): ${describe(e)}`));
        saved = await save();
      }
      if (saved) spec.log(`guest state saved in ${fresh!.saveMs} ms`);

      return {
        ssh: endpoint,
        consoleLog: paths.consoleLog,
        offers: {
          family: 'qemu',
          accel,
          interfaces: offeredInterfaces(accel, config),
          virtio: config.devices as VirtioClass[],
          kvStore: null,
          nics: [{ mac }],
        },
        shell,
        ...(fresh && saved ? { restoreFresh: (opts?: { coldBoot?: boolean }) => fresh.restore(opts) } : {}),
        bootToSshMs,
        artifacts: [
          { kind: 'console', path: relative(spec.runDir, paths.consoleLog) },
          ...(offered.has('console') ? [{ kind: 'virtconsole', path: relative(spec.runDir, paths.virtconsoleLog) }] : []),
        ],
        // Every disk QEMU wrote is a scratch overlay removed right after: nothing for a guest
        // power-off to save, and waiting for one cost 0.4-0.7 s a cell (bench). QMP quit at once.
        stop: () => teardown(false),
        discardsGuestOnStop: true,
      };
    } catch (e) {
      await teardown(false);
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
