// The Hyper-V provider: one Generation 1 VM per cell on a Windows host reached over SSH, driven
// by PowerShell. Everything it creates is pushed on an undo list as it is created, so a failure
// at any step, an abort, or stop() removes exactly what exists, newest first.
import { appendFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { BootError, InfraError, UsageError, describe } from '../../core/errors.ts';
import type { Offers } from '../../core/offers.ts';
import type { HypervConfig } from './config.ts';
import { NoImageError } from '../../images/guest-image.ts';
import type { Shell, SshEndpoint } from '../../core/shell.ts';
import { connectSsh, SshTrustError } from '../../transport/ssh.ts';
import type { BootSpec, Machine, Provider } from '../provider.ts';
import { checkHypervConfig } from './config-check.ts';
import { cellNames, chooseMac, hypervMac, type CellNames } from './names.ts';
import { asList, PowerShellHost } from './powershell.ts';
import * as vm from './vm-scripts.ts';
import { HypervKvp } from './kvp.ts';
import { ConsoleCapture } from './console-pipe.ts';
import { sleep } from '../../core/wait.ts';

/** Each PowerShell step's own limit. Generous: the first Hyper-V cmdlet of a session loads the
 *  module, and a busy host answers slowly; none of these waits is for the guest. */
export interface StepTimeouts {
  preflightMs: number;
  createMs: number;
  configureMs: number;
  startMs: number;
  /** One look at the VM's addresses. */
  pollMs: number;
  stopMs: number;
  removeMs: number;
  kvpCallMs: number;
  kvpJobMs: number;
}

export const DEFAULT_STEP_TIMEOUTS: StepTimeouts = {
  preflightMs: 60_000,
  createMs: 120_000,
  configureMs: 60_000,
  startMs: 120_000,
  pollMs: 30_000,
  stopMs: 60_000,
  removeMs: 120_000,
  kvpCallMs: 60_000,
  kvpJobMs: 60_000,
};

export interface HypervProviderOptions {
  /** How long to keep trying the host's SSH before calling it unreachable. */
  hostConnectWindowMs?: number;
  /** Pause between two looks at the guest's address. */
  addressPollMs?: number;
  /** Pause between two looks at a KVP job. */
  jobPollMs?: number;
  /** Pause before restarting the COM1 reader. */
  consoleRestartMs?: number;
  steps?: Partial<StepTimeouts>;
}

interface Undo {
  what: string;
  run(): Promise<void>;
}

export class HypervProvider implements Provider<HypervConfig> {
  readonly family = 'hyperv' as const;
  private readonly steps: StepTimeouts;
  private readonly hostConnectWindowMs: number;
  private readonly addressPollMs: number;
  private readonly jobPollMs: number;
  private readonly consoleRestartMs: number;

  constructor(options: HypervProviderOptions = {}) {
    this.steps = { ...DEFAULT_STEP_TIMEOUTS, ...options.steps };
    this.hostConnectWindowMs = options.hostConnectWindowMs ?? 30_000;
    this.addressPollMs = options.addressPollMs ?? 2_000;
    this.jobPollMs = options.jobPollMs ?? 500;
    this.consoleRestartMs = options.consoleRestartMs ?? 1_000;
  }

  async boot(spec: BootSpec<HypervConfig>, signal: AbortSignal): Promise<Machine> {
    const config = spec.hypervisor;
    if (config.provider !== 'hyperv') throw new InfraError(`the Hyper-V provider was given a ${config.provider} config`);
    checkHypervConfig(config); // before anything is connected or created
    const started = Date.now();
    const bootDeadline = started + spec.timeouts.bootMs;
    const names = cellNames(spec.cellId, spec.image.name, config.imageDir);
    const mac = chooseMac();
    const host: SshEndpoint = {
      host: config.host.address,
      port: config.host.port,
      user: config.host.user,
      privateKeyPath: config.host.privateKey,
      hostKey: config.host.hostKey,
    };

    await mkdir(spec.artifactsDir, { recursive: true });
    const consoleLog = join(spec.artifactsDir, 'console.log');
    const transcript = join(spec.artifactsDir, 'hyperv-host.log');
    await writeFile(consoleLog, '');
    await writeFile(transcript, `# PowerShell steps on ${host.user}@${host.host}:${host.port} for ${names.vmName}\n`);

    const shell = await this.connectHost(host, config, spec.timeouts.connectMs, signal);
    const ps = new PowerShellHost(shell, (c) =>
      appendFileSync(transcript, `${new Date().toISOString()} ${c.ok ? 'ok   ' : 'FAIL '} ${c.step} (${c.durationMs} ms)${c.detail ? `: ${c.detail}` : ''}\n`),
    );
    const undo: Undo[] = [];
    const teardown = () => this.teardown(undo, shell, names);
    const check = () => {
      if (signal.aborted) throw new InfraError(`boot of ${spec.cellId} aborted`);
    };

    try {
      await this.preflight(ps, config, names, spec);
      check();

      await ps.run('New-VHD (differencing)', vm.newDifferencingVhdScript(names.baseVhdx, names.diffVhdx), this.steps.createMs);
      undo.push({ what: `remove ${names.diffVhdx}`, run: () => this.removeVhd(ps, names) });
      check();

      await ps.run('New-VM', vm.newVmScript(names.vmName, config.memoryMiB, names.diffVhdx, config.switchName), this.steps.createMs);
      undo.push({ what: `Remove-VM ${names.vmName}`, run: () => this.removeVm(ps, names) });
      check();

      const adapters = asList<{ MacAddress?: string }>(
        await ps.run('Set-VM / Set-VMNetworkAdapter', vm.configureVmScript(names.vmName, config.cpus, hypervMac(mac)), this.steps.configureMs),
      );
      if (!adapters.some((a) => hypervMac(a.MacAddress ?? '') === hypervMac(mac)))
        throw new InfraError(`Hyper-V host: the VM's adapter does not carry the MAC the harness set (${mac}); got ${adapters.map((a) => a.MacAddress).join(', ') || 'no adapter'}`);
      check();

      const com1 = await ps.run('Set-VMComPort', vm.setComPortScript(names.vmName, names.pipePath), this.steps.configureMs).then(
        () => true,
        async (e) => {
          // The console is a help for diagnosis, not a condition of the cell.
          spec.log(`COM1 not available on this host, no console log: ${describe(e)}`);
          await writeFile(consoleLog, `# pvconform: COM1 could not be set to ${names.pipePath}: ${describe(e)}\n`);
          return false;
        },
      );
      check();

      await ps.run('Start-VM', vm.startVmScript(names.vmName), this.steps.startMs);
      undo.push({ what: `Stop-VM -TurnOff ${names.vmName}`, run: () => this.stopVm(ps, names, spec.timeouts.shutdownMs) });
      if (com1) {
        const capture = new ConsoleCapture({ host, pipeName: names.pipeName, logPath: consoleLog, connectTimeoutMs: spec.timeouts.connectMs, restartMs: this.consoleRestartMs, log: spec.log });
        capture.start();
        undo.push({ what: 'stop the COM1 reader', run: () => capture.stop() });
      }
      check();

      const address = await this.waitForAddress(ps, names, mac, bootDeadline, consoleLog, signal);
      const ssh: SshEndpoint = {
        host: address,
        port: 22,
        user: spec.image.ssh.user,
        privateKeyPath: spec.image.ssh.privateKeyPath,
        hostKey: spec.image.ssh.hostKey,
        // Guests on an internal or NAT switch are reachable only from the host; going through
        // it works for external switches too.
        via: host,
      };
      await this.waitForGuestSsh(ssh, bootDeadline, spec.timeouts.connectMs, consoleLog, signal);
      const bootToSshMs = Date.now() - started;

      const offers: Offers = {
        family: 'hyperv',
        flavour: 'generation-1',
        interfaces: ['Hyper-V'],
        virtio: [],
        kvStore: 'hyperv-kvp',
        nics: [{ mac }],
      };
      let stopping: Promise<void> | null = null;
      return {
        ssh,
        consoleLog,
        offers,
        hostKv: new HypervKvp(ps, names.vmName, { callMs: this.steps.kvpCallMs, jobMs: this.steps.kvpJobMs, jobPollMs: this.jobPollMs }),
        bootToSshMs,
        artifacts: [
          { kind: 'console', path: relative(spec.runDir, consoleLog) },
          { kind: 'transcript', path: relative(spec.runDir, transcript) },
        ],
        stop: () => (stopping ??= teardown()),
      };
    } catch (e) {
      try {
        await teardown();
      } catch (cleanup) {
        spec.log(`cleanup after a failed boot: ${describe(cleanup)}`);
        withCleanupNote(e, cleanup);
      }
      throw e;
    }
  }

  private async connectHost(host: SshEndpoint, config: HypervConfig, connectMs: number, signal: AbortSignal): Promise<Shell> {
    const where = `Hyper-V host ${host.user}@${host.host}:${host.port} (hypervisors[name=${config.name}].host)`;
    try {
      return await connectSsh(host, { deadline: Date.now() + this.hostConnectWindowMs, connectTimeoutMs: connectMs, signal });
    } catch (e) {
      // A refused key or a changed host key will not get better by retrying: say so at once.
      if (e instanceof SshTrustError) throw new SshTrustError(`${where}: ${e.message}`, { cause: e });
      throw new InfraError(`${where} unreachable: ${describe(e)}`, { cause: e });
    }
  }

  private async preflight(ps: PowerShellHost, config: HypervConfig, names: CellNames, spec: BootSpec): Promise<void> {
    const out = (await ps.run('preflight', vm.preflightScript(names.baseVhdx, names.vmName), this.steps.preflightMs)) as {
      BaseExists?: boolean; Switches?: unknown; ExistingVms?: number;
    } | null;
    if (!out?.BaseExists)
      throw new NoImageError(
        spec.image.name,
        `qemu-img convert -O vhdx <the ${spec.image.name} disk image> ${spec.image.name}.vhdx, then copy it to ${names.baseVhdx} on ${config.host.address}`,
      );
    const switches = asList<string>(out.Switches);
    if (!switches.includes(config.switchName))
      throw new UsageError(
        `hypervisors[name=${config.name}].switchName: "${config.switchName}" is not a virtual switch on ${config.host.address} (it has: ${switches.join(', ') || 'none'}). Fix: set switchName to one of those.`,
      );
    if (Number(out.ExistingVms) > 0) throw new InfraError(`Hyper-V host: a VM named ${names.vmName} already exists; refusing to touch it`);
  }

  /** Polls Get-VMNetworkAdapter until the adapter with our MAC shows an IPv4 address, by the
   *  boot deadline. Hyper-V learns addresses from the guest's KVP daemon. */
  private async waitForAddress(ps: PowerShellHost, names: CellNames, mac: string, deadline: number, consoleLog: string, signal: AbortSignal): Promise<string> {
    let seen = 'no address yet';
    for (;;) {
      if (signal.aborted) throw new InfraError('boot aborted while waiting for the guest address');
      const left = deadline - Date.now();
      if (left <= 0) break;
      const out = (await ps.run('Get-VMNetworkAdapter', vm.addressScript(names.vmName), Math.min(this.steps.pollMs, Math.max(left, 1_000)))) as {
        State?: string; Adapters?: unknown;
      } | null;
      if (out?.State === 'Off') throw new BootError('the VM powered off during boot', await tail(consoleLog));
      const adapter = asList<{ MacAddress?: string; IPAddresses?: unknown }>(out?.Adapters).find((a) => hypervMac(a.MacAddress ?? '') === hypervMac(mac));
      const addresses = asList<string>(adapter?.IPAddresses);
      const ipv4 = addresses.find(isUsableIpv4);
      if (ipv4) return ipv4;
      seen = addresses.length ? `only ${addresses.join(', ')}` : 'no address';
      await sleep(Math.min(this.addressPollMs, Math.max(deadline - Date.now(), 0)));
    }
    throw new BootError(
      `no IPv4 address for ${mac} from Get-VMNetworkAdapter by the boot deadline (${seen}); Hyper-V learns it from the guest's KVP service`,
      await tail(consoleLog),
    );
  }

  private async waitForGuestSsh(ssh: SshEndpoint, deadline: number, connectMs: number, consoleLog: string, signal: AbortSignal): Promise<void> {
    try {
      const guest = await connectSsh(ssh, { deadline, connectTimeoutMs: connectMs, signal });
      await guest.close();
    } catch (e) {
      if (e instanceof SshTrustError) throw e;
      throw new BootError(`guest at ${ssh.host} (through the host) did not answer SSH by the boot deadline: ${describe(e)}`, await tail(consoleLog));
    }
  }

  private async stopVm(ps: PowerShellHost, names: CellNames, shutdownMs: number): Promise<void> {
    await ps.run('Stop-VM -TurnOff', vm.stopVmScript(names.vmName), this.steps.stopMs + shutdownMs);
  }

  private async removeVm(ps: PowerShellHost, names: CellNames): Promise<void> {
    const out = (await ps.run('Remove-VM', vm.removeVmScript(names.vmName), this.steps.removeMs)) as { Remaining?: number } | null;
    if (Number(out?.Remaining) > 0) throw new InfraError(`Remove-VM left ${names.vmName} in place`);
  }

  private async removeVhd(ps: PowerShellHost, names: CellNames): Promise<void> {
    const out = (await ps.run('Remove-Item (VHDX)', vm.removeVhdScript(names.diffVhdx), this.steps.removeMs)) as { Exists?: boolean } | null;
    if (out?.Exists) throw new InfraError(`${names.diffVhdx} is still on the host after Remove-Item`);
  }

  /** Runs every undo step, newest first, even when one fails; then closes the host connection. */
  private async teardown(undo: Undo[], shell: Shell, names: CellNames): Promise<void> {
    const failures: string[] = [];
    while (undo.length > 0) {
      const step = undo.pop()!;
      try {
        await step.run();
      } catch (e) {
        failures.push(`${step.what}: ${describe(e)}`);
      }
    }
    await shell.close().catch(() => {});
    if (failures.length > 0) throw new InfraError(`Hyper-V host: cleanup of ${names.vmName} incomplete: ${failures.join('; ')}`);
  }
}

function withCleanupNote(e: unknown, cleanup: unknown): void {
  if (e instanceof Error) e.message += ` (and the cleanup failed: ${describe(cleanup)})`;
}

function isUsableIpv4(a: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(a) && !a.startsWith('169.254.') && !a.startsWith('127.');
}

async function tail(path: string, chars = 4000): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.slice(-chars);
}
