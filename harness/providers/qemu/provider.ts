// QEMU: one process per cell, booted from overlays, controlled over QMP, reached over SSH
// through a slirp port QEMU picked itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { BootError, InfraError, describe } from '../../core/errors.ts';
import { killOnCleanup, removeOnCleanup } from '../../core/cleanup.ts';
import type { BootSpec, Machine, Provider } from '../provider.ts';
import type { HypervisorConfig, QemuConfig } from '../../config/schema.ts';
import { offeredInterfaces, refuseEnlightenmentsWithoutKvm } from './hyperv-enlightenments.ts';
import type { VirtioClass } from '../../core/offers.ts';
import { Qmp, parseUsernetHostPort } from './qmp.ts';
import { createBlank, createOverlay } from './qemu-img.ts';
import { macFor, qemuArgs, type QemuPaths } from './command-line.ts';
import { probeKvm } from './kvm-probe.ts';
import { connectSsh } from '../../transport/ssh.ts';
import { PANIC_PATTERNS, tailOf, waitForAny } from './console-log.ts';

export interface QemuBootOptions {
  /** Extra kernel arguments for this cell (the guest config's). */
  extraKernelArgs?: string;
  /** Tells the user once why KVM is not used. */
  notice?: (message: string) => void;
}

export class QemuProvider implements Provider {
  readonly family = 'qemu' as const;
  private noticeGiven = false;
  constructor(private readonly options: QemuBootOptions = {}) {}

  async slowdown(config: HypervisorConfig, kernel: string | null): Promise<number> {
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

  async boot(spec: BootSpec, signal: AbortSignal): Promise<Machine> {
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
    let child: ChildProcess | null = null;
    let qmp: Qmp | null = null;
    let unKill = () => {};
    let stopped = false;

    const teardown = async (graceful: boolean) => {
      if (stopped) return;
      stopped = true;
      if (child && child.exitCode === null && child.signalCode === null) {
        if (graceful && qmp && !qmp.closed) {
          // ACPI power-off first (a BSD syncs its disks), then the hard stop.
          await qmp.execute('system_powerdown').catch(() => {});
          await waitExit(child, spec.timeouts.shutdownMs);
        }
        if (qmp && !qmp.closed && child.exitCode === null && child.signalCode === null) {
          await qmp.execute('quit', undefined, 2_000).catch(() => {});
          await waitExit(child, 2_000);
        }
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await waitExit(child, 5_000);
        }
      }
      qmp?.close();
      unKill();
      await rm(spec.workDir, { recursive: true, force: true });
      unRemoveWork();
    };

    const onAbort = () => void teardown(false);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (paths.systemOverlay && image.boot.kind === 'disk') await createOverlay(image.boot.disk, image.boot.format, paths.systemOverlay);
      const offered = new Set(config.devices as VirtioClass[]);
      for (const [cls, overlay] of [['blk', paths.blkOverlay], ['scsi', paths.scsiOverlay]] as const) {
        if (!offered.has(cls)) continue;
        if (image.dataDiskBase) await createOverlay(image.dataDiskBase, 'qcow2', overlay);
        else await createBlank(overlay, 64 * 1024 * 1024);
      }
      const args = qemuArgs(image, config, paths, { accel, mac, extraKernelArgs: spec.extraKernelArgs ?? '' });
      spec.log(`starting QEMU (${accel})`);
      // setpriv --pdeathsig: QEMU dies with us even if we are SIGKILLed and no handler runs.
      child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let qemuStderr = '';
      child.stderr!.on('data', (d) => (qemuStderr = (qemuStderr + d).slice(-4000)));
      const spawnError = new Promise<never>((_, reject) => child!.once('error', (e) => reject(new InfraError(`cannot start qemu-system-x86_64: ${e.message}. Fix: apt-get install qemu-system-x86`))));
      unKill = killOnCleanup(child.pid ?? -1, `QEMU of ${spec.cellId}`);
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      spawnError.catch(() => {});

      const deadline = started + spec.timeouts.bootMs;
      qmp = await Promise.race([Qmp.connect(paths.qmpSocket, Math.min(deadline, Date.now() + 15_000)), spawnError, exited.then((c) => {
        throw new InfraError(`QEMU exited (${c}) before its QMP socket opened: ${qemuStderr.trim().split('\n').slice(-3).join(' / ')}`);
      })]);
      const usernet = await qmp.hmp('info usernet');
      const port = parseUsernetHostPort(usernet, 22);
      if (!port) throw new InfraError(`QEMU did not report the forwarded SSH port (info usernet said: ${usernet.trim().slice(0, 200)})`);

      // Readiness: the console marker is the cheapest signal; SSH confirms it.
      const whyDown = async (what: string) => {
        const tail = await tailOf(paths.consoleLog, 30);
        return new BootError(`${what}; console tail:\n${tail}`, tail);
      };
      if (image.readyMarker) {
        const seen = await Promise.race([
          waitForAny(paths.consoleLog, [image.readyMarker, ...PANIC_PATTERNS], deadline, signal),
          exited.then(() => 'exited' as const),
        ]);
        if (seen === 'exited') throw await whyDown(`the guest did not come up: QEMU exited before "${image.readyMarker}"${qemuStderr ? ` (${qemuStderr.trim().split('\n').pop()})` : ''}`);
        if (seen === null) throw await whyDown(`the guest did not come up: no "${image.readyMarker}" on the console within ${Math.round(spec.timeouts.bootMs / 1000)} s`);
        if (seen !== image.readyMarker) {
          await new Promise((r) => setTimeout(r, 1_000)); // let the rest of the panic reach the log
          throw await whyDown(`the guest did not come up: its kernel panicked ("${seen.trim()}" on the console)`);
        }
      }
      if (signal.aborted) throw new InfraError('aborted');
      const endpoint = { host: '127.0.0.1', port, user: image.ssh.user, privateKeyPath: image.ssh.privateKeyPath, hostKey: image.ssh.hostKey };
      try {
        const probe = await Promise.race([
          connectSsh(endpoint, { deadline, connectTimeoutMs: spec.timeouts.connectMs, signal }),
          exited.then(() => null),
        ]);
        if (probe === null) throw await whyDown('the guest did not come up: QEMU exited before SSH answered');
        await probe.close();
      } catch (e) {
        if (e instanceof BootError) throw e;
        if ((e as Error).name === 'SshTrustError') throw e;
        throw await whyDown(`the guest did not answer SSH within ${Math.round(spec.timeouts.bootMs / 1000)} s: ${describe(e)}`);
      }
      const bootToSshMs = Date.now() - started;
      spec.log(`SSH up after ${(bootToSshMs / 1000).toFixed(1)} s`);

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
        bootToSshMs,
        artifacts: [
          { kind: 'console', path: relative(spec.runDir, paths.consoleLog) },
          ...(offered.has('console') ? [{ kind: 'virtconsole', path: relative(spec.runDir, paths.virtconsoleLog) }] : []),
        ],
        stop: () => teardown(true),
      };
    } catch (e) {
      await teardown(false);
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

