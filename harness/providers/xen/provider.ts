// Xen: each cell is a domU made with `xl` on a dom0 reached over SSH (a real host, or the
// nested host of vm-images/xen-host booted under QEMU), and the guest is reached through dom0.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BootError, InfraError, describe } from '../../core/errors.ts';
import type { Artifact } from '../../core/results.ts';
import type { Offers } from '../../core/offers.ts';
import type { XenConfig } from './config.ts';
import type { BootSpec, Machine, Provider } from '../provider.ts';
import type { HypervisorConfigBase } from '../plugin.ts';
import type { Shell, SshEndpoint } from '../../core/shell.ts';
import { connectSsh, SshTrustError } from '../../transport/ssh.ts';
import { HostSession, NESTED_SLOWNESS } from './host-session.ts';
import { oneLine, XL_TIMEOUTS } from './dom0.ts';
import { BRIDGE, ipKernelArg, xenMac } from './guest-network.ts';
import { CELLS_DIR, sftpTransfer, stageImage } from './staging.ts';
import { pullOverHttp } from './http-pull.ts';
import { guestCmdline, xlConfig, type DomainSpec } from './xl-config.ts';
import { formatInventory, leaks, takeInventory, type Dom0Inventory } from './inventory.ts';
import { GuestConsole } from './guest-console.ts';
import { XenStoreKv } from './xenstore-kv.ts';
import { XlShutdown } from './xl-shutdown.ts';
import { FreshDomain, type FreshDomainDeps } from './fresh-domain.ts';
import type { LiveDomain } from './live-domain.ts';
import { sq } from './quote.ts';
import { QEMU_WAITS } from '../../core/timeouts.ts';

export interface XenProviderOptions {
  /** Restore the nested host from (and save it to) a machine-state file. Default true. */
  snapshot?: boolean;
  /** Cold boot of the nested host to its ready marker. */
  nestedBootMs?: number;
  notice?: (message: string) => void;
}

/** Size of each blank data disk (`disks:` in the config). */
const DATA_DISK_MIB = 64;

/** How often the guest's console is copied while it boots. */
const BOOT_POLL_MS = 1_000;

export class XenProvider implements Provider {
  readonly family = 'xen' as const;
  private readonly sessions = new Map<string, Promise<HostSession>>();

  constructor(private readonly options: XenProviderOptions = {}) {}

  /** The session for this config's host, opened on first use and kept for the run. */
  private async session(config: XenConfig, spec: BootSpec, signal: AbortSignal): Promise<HostSession> {
    const key = HostSession.keyOf(config);
    const existing = this.sessions.get(key);
    if (existing) {
      const s = await existing.catch(() => null);
      if (s && !s.broken) return s;
      // A host that failed or died is tried afresh for the next cell, and says so.
      this.sessions.delete(key);
      if (s) {
        spec.log(`the ${key} Xen host is gone; starting over`);
        await s.close();
      }
    }
    const opening = HostSession.open(config, {
      artifactsRoot: join(spec.runDir, 'artifacts'),
      connectMs: spec.timeouts.connectMs,
      connectDeadlineMs: spec.timeouts.connectMs * 3,
      nestedBootMs: this.options.nestedBootMs ?? QEMU_WAITS.nestedHostBootMs,
      snapshot: this.options.snapshot ?? true,
      log: spec.log,
      signal,
    });
    this.sessions.set(key, opening);
    return opening;
  }

  /** The nested host runs its domUs under TCG inside TCG: every guest wait (boot, connect, each
   *  command) grows by NESTED_SLOWNESS, through the one factor run-cell applies to all waits. A
   *  real dom0 runs them at native speed. dom0's own commands have their limits in dom0.ts. */
  async slowdown(config: HypervisorConfigBase): Promise<number> {
    return (config as XenConfig).host === 'nested' ? NESTED_SLOWNESS : 1;
  }

  offersBeforeBoot(): Partial<Offers> {
    return { family: 'xen', virtio: [], kvStore: 'xenstore' };
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s.catch(() => null))?.close();
  }

  async boot(spec: BootSpec, signal: AbortSignal): Promise<Machine> {
    const config = spec.hypervisor as XenConfig;
    if (config.provider !== 'xen') throw new InfraError(`Xen provider given a ${config.provider} config`);
    const started = Date.now();
    const image = spec.image;
    if (image.boot.kind === 'disk' && config.type === 'pv')
      throw new InfraError(`${image.name} is a disk image; a pv domain needs a kernel to boot. Fix: use type: hvm (or pvh) for this guest`);
    await mkdir(spec.artifactsDir, { recursive: true });

    const session = await this.session(config, spec, signal);
    const dom0 = session.dom0;
    const slowness = session.slowness;
    const before = await takeInventory(dom0);
    const name = `pvc-${spec.cellId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    const cellDir = `${CELLS_DIR}/${name}`;
    const address = session.pool.take();
    const mac = xenMac(spec.cellId, address);
    const paths = {
      console: join(spec.artifactsDir, 'console.log'),
      xlConfig: join(spec.artifactsDir, 'xl.cfg'),
      xenstore: join(spec.artifactsDir, 'xenstore-ls.txt'),
      xlDmesg: join(spec.artifactsDir, 'xl-dmesg.txt'),
      inventory: join(spec.artifactsDir, 'dom0-inventory.txt'),
    };
    const artifact = (kind: string, path: string): Artifact => ({ kind, path: relative(spec.runDir, path) });
    const guestConsole = new GuestConsole(dom0, name, paths.console);
    await guestConsole.start();

    let created = false;
    let domainGone = false;
    const live: LiveDomain = { name, domid: -1 };
    let ssh: SshEndpoint | null = null;
    let handedOn: Shell | null = null;
    let stopped = false;
    const unExit = session.onExit(`domain ${name} on ${dom0.where}`, `xl destroy ${sq(name)} 2>/dev/null; rm -rf ${sq(cellDir)}`);

    const teardown = async (graceful: boolean): Promise<void> => {
      if (stopped) return;
      stopped = true;
      await handedOn?.close().catch(() => {}); // a no-op when the cell closed it already
      const problems: string[] = [];
      const step = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (e) {
          problems.push(`${what}: ${describe(e)}`);
        }
      };
      if (dom0.closed) {
        session.pool.release(address);
        unExit();
        throw new InfraError(`cannot clean up ${name}: the connection to ${dom0.where} is gone`);
      }
      await step('saving xenstore-ls', async () => writeFile(paths.xenstore, (await dom0.run('xenstore-ls -fp', 30_000)).stdout));
      await step('saving xl dmesg', async () => writeFile(paths.xlDmesg, (await dom0.xl('dmesg', [])).stdout));
      if (created && !domainGone) {
        await step('stopping the domain', async () => {
          if (graceful && (await dom0.domid(name)) !== null) {
            await dom0.xl('shutdown', [name]);
            const until = Date.now() + spec.timeouts.shutdownMs * slowness;
            while (Date.now() < until && (await dom0.domid(name)) !== null) await new Promise((r) => setTimeout(r, 500));
          }
          await dom0.destroyDomain(name);
        });
      }
      await step('copying the console', () => guestConsole.sync());
      if (config.disks > 0) await step('waiting for the disk hotplug to finish', () => waitForLoopRelease(dom0, cellDir, XL_TIMEOUTS.destroy));
      await step('removing dom0 files', async () => {
        await guestConsole.removeRemote();
        await dom0.must(`rm -rf ${sq(cellDir)}`, 30_000, `rm -rf ${cellDir}`);
      });
      session.pool.release(address);
      unExit();
      let after: Dom0Inventory | null = null;
      await step('taking the inventory', async () => (after = await takeInventory(dom0)));
      const leaked = after ? leaks(before, after) : [];
      await writeFile(paths.inventory, [formatInventory('before the cell', before), '', after ? formatInventory('after the cell', after) : '# after the cell: unknown', '', `leaks: ${leaked.join('; ') || 'none'}`].join('\n') + '\n').catch(() => {});
      if (leaked.length) problems.push(`dom0 leaked: ${leaked.join('; ')} (see ${paths.inventory})`);
      // A leak or a failed clean-up must be seen: the run logs what stop() throws.
      if (problems.length) throw new InfraError(`stopping ${name} on ${dom0.where}: ${problems.join('; ')}`);
    };

    const onAbort = () => void teardown(false).catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await dom0.must(`mkdir -p ${sq(cellDir)}`, 10_000, `mkdir ${cellDir}`);
      const staged = await stageImage(dom0, image, cellDir, spec.log, session.nested ? pullOverHttp : sftpTransfer);
      const dataDisks = Array.from({ length: config.disks }, (_, i) => `${cellDir}/data-${i}.raw`);
      for (const d of dataDisks) await dom0.must(`truncate -s ${DATA_DISK_MIB}M ${sq(d)}`, 10_000, `making the data disk ${d}`);
      const additions = [ipKernelArg(address), 'pvconform.console=hvc0', config.extraKernelArgs, spec.extraKernelArgs ?? ''];
      const domain: DomainSpec = {
        name,
        type: config.type,
        memoryMiB: config.memoryMiB,
        cpus: config.cpus,
        mac,
        bridge: BRIDGE,
        dataDisks,
        boot:
          staged.kind === 'kernel'
            ? { kind: 'kernel', kernel: staged.kernel, ramdisk: staged.ramdisk, cmdline: guestCmdline(image.boot.kind === 'kernel' ? image.boot.append : '', additions) }
            : { kind: 'disk', target: staged.target, format: staged.format },
      };
      const cfg = xlConfig(domain);
      await writeFile(paths.xlConfig, cfg);
      await dom0.must(`cat > ${sq(`${cellDir}/domain.cfg`)}`, 10_000, 'writing the xl config', cfg);

      // The domain made from its config, to the guest answering SSH: the first boot, and again
      // for a suite that must see a boot of its own (Requirements.coldBoot).
      const createAndConnect = async (): Promise<{ shell: Shell; createStart: number }> => {
        const createStart = Date.now();
        spec.log(`xl create ${name} (${config.type}, ${config.memoryMiB} MiB) on ${dom0.where}`);
        created = true; // from here a half-made domain may exist
        const made = await dom0.xl('create', [`${cellDir}/domain.cfg`], XL_TIMEOUTS.create);
        if (made.code !== 0) throw new InfraError(`xl create ${name} failed (exit ${made.code}): ${oneLine(made.stderr || made.stdout)}`);
        const domid = await dom0.domid(name);
        if (domid === null) throw new BootError(`domain ${name} was created but is gone at once; console tail:\n${(await guestConsole.sync(), guestConsole.tail(30))}`, guestConsole.tail(30));
        live.domid = domid;
        domainGone = false;
        spec.log(`domain ${name} is domid ${domid} (xl create took ${((Date.now() - createStart) / 1000).toFixed(1)} s)`);
        // The guest's boot budget starts when its domain exists: the nested host's boot, the
        // staging and xl create (slow with a disk's hotplug under TCG) have limits of their own.
        const domainMade = Date.now();
        const guestAddress = await this.waitForGuest(spec, dom0, session, name, domid, guestConsole, address, domainMade, signal);
        ssh = { host: guestAddress, port: 22, user: image.ssh.user, privateKeyPath: image.ssh.privateKeyPath, hostKey: image.ssh.hostKey, via: session.endpoint };
        try {
          return { shell: await connectGuest(domainMade + spec.timeouts.bootMs), createStart };
        } catch (e) {
          if (e instanceof SshTrustError) throw e;
          await guestConsole.sync().catch(() => {});
          throw new BootError(`${image.name} did not answer SSH at ${guestAddress} (through dom0) in time: ${describe(e)}; console tail:\n${guestConsole.tail(30)}`, guestConsole.tail(30));
        }
      };
      // Handed on to the cell, not closed: a second handshake through dom0 costs seconds here.
      const connectGuest = (deadline: number) => connectSsh(ssh!, { deadline, connectTimeoutMs: spec.timeouts.connectMs, commandTimeoutMs: spec.timeouts.commandMs, signal });

      const first = await createAndConnect();
      handedOn = first.shell;
      const bootToSshMs = Date.now() - started;
      spec.log(`SSH up after ${(bootToSshMs / 1000).toFixed(1)} s (domU create to SSH ${((Date.now() - first.createStart) / 1000).toFixed(1)} s)`);
      const fresh = spec.freshPerSuite ? await this.saveFresh(spec, config, dom0, live, cellDir, first.shell, {
        connect: async (deadline) => (handedOn = await connectGuest(deadline)),
        bootAgain: async () => (handedOn = (await createAndConnect()).shell),
        consoleTail: async () => (await guestConsole.sync().catch(() => {}), guestConsole.tail(30)),
      }) : null;

      return {
        ssh: ssh!,
        consoleLog: paths.console,
        offers: { family: 'xen', flavour: config.type, interfaces: ['Xen'], virtio: [], kvStore: 'xenstore', nics: [{ mac }], xenDisks: config.disks },
        hostKv: new XenStoreKv(dom0, live),
        hostControl: new XlShutdown(dom0, live, guestConsole, () => (domainGone = true)),
        shell: first.shell,
        ...(fresh ? { restoreFresh: (opts?: { coldBoot?: boolean }) => fresh.restore(opts).finally(() => (domainGone = false)) } : {}),
        bootToSshMs,
        artifacts: [
          artifact('console', paths.console),
          artifact('xl-config', paths.xlConfig),
          artifact('xenstore-ls', paths.xenstore),
          artifact('xl-dmesg', paths.xlDmesg),
          artifact('dom0-inventory', paths.inventory),
        ],
        stop: () => teardown(true),
      };
    } catch (e) {
      await teardown(false).catch((t) => spec.log(describe(t)));
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Saves the guest's state for fresh guests per suite; null (logged) where it cannot: the
   *  suites then share this guest, and the cell's results are unaffected. */
  private async saveFresh(spec: BootSpec, config: XenConfig, dom0: HostSession['dom0'], domain: LiveDomain, cellDir: string, sh: Shell, hooks: Pick<FreshDomainDeps, 'connect' | 'bootAgain' | 'consoleTail'>): Promise<FreshDomain | null> {
    // A file-backed disk is not in the saved state (a restored guest would find its disk changed
    // under its page cache), and its loop device takes 38-58 s to go after a destroy.
    if (config.disks > 0) {
      spec.log(`the suites share one guest: a domain with data disks is not saved (xl save keeps no disk contents)`);
      return null;
    }
    await spec.prepareFresh?.(sh).catch((e) => spec.log(`preparing the guest before saving its state failed (each suite will do it): ${describe(e)}`));
    const fresh = new FreshDomain({ dom0, domain, savePath: `${cellDir}/fresh.save`, memoryMiB: config.memoryMiB, restoreBudgetMs: spec.timeouts.bootMs, log: spec.log, ...hooks });
    try {
      await fresh.save();
    } catch (e) {
      spec.log(`cannot save the guest's state, so its suites share one guest: ${describe(e)}`);
      return null;
    }
    spec.log(`guest state saved (${fresh.sizeMiB} MiB) in ${(fresh.saveMs / 1000).toFixed(1)} s`);
    return fresh;
  }

  /** Waits for the guest's ready marker on its console (or, without a console log, goes
   *  straight to SSH), watching for a crash; returns the address to reach it at. */
  private async waitForGuest(spec: BootSpec, dom0: HostSession['dom0'], session: HostSession, name: string, domid: number, guestConsole: GuestConsole, assigned: string, started: number, signal: AbortSignal): Promise<string> {
    const image = spec.image;
    const deadline = started + spec.timeouts.bootMs;
    const marker = image.readyMarker;
    while (marker && Date.now() < deadline) {
      if (signal.aborted) throw new InfraError('aborted while the guest was booting');
      const hasLog = await guestConsole.sync();
      if (!hasLog) {
        spec.log(`dom0 keeps no console log for ${name} (xenconsoled without --log=guest): waiting on SSH alone`);
        break;
      }
      if (guestConsole.includes(marker)) break;
      const row = (await dom0.domains()).find((d) => d.name === name);
      if (!row) throw new BootError(`${image.name} stopped while booting (domain ${name} is gone); console tail:\n${guestConsole.tail(30)}`, guestConsole.tail(30));
      if (row.state.includes('c')) throw new BootError(`${image.name} crashed while booting (domain ${name} state ${row.state}); console tail:\n${guestConsole.tail(30)}`, guestConsole.tail(30));
      await new Promise((r) => setTimeout(r, BOOT_POLL_MS));
    }
    if (marker && guestConsole.length > 0 && !guestConsole.includes(marker) && Date.now() >= deadline)
      throw new BootError(`${image.name} did not come up: no "${marker}" on its console within ${Math.round((deadline - started) / 1000)} s; console tail:\n${guestConsole.tail(30)}`, guestConsole.tail(30));
    // xen(4): guests publish their address at attr/vif/0/ipv4/0. A direct-boot guest was given
    // one on its command line; a disk image must publish its own.
    const key = `/local/domain/${domid}/attr/vif/0/ipv4/0`;
    for (;;) {
      const published = await dom0.xsRead(key);
      if (published && /^\d+\.\d+\.\d+\.\d+$/.test(published)) {
        if (published !== assigned) spec.log(`the guest publishes ${published} at attr/vif/0/ipv4/0; using it`);
        return published;
      }
      if (image.boot.kind === 'kernel') return assigned;
      if (Date.now() >= deadline || signal.aborted)
        throw new BootError(`${image.name} never published its address at ${key} (xen(4)), so the harness cannot reach it; console tail:\n${guestConsole.tail(30)}`, guestConsole.tail(30));
      await new Promise((r) => setTimeout(r, BOOT_POLL_MS));
    }
  }
}

/** After the domain is gone, dom0's toolstack still runs the block hotplug script's `remove`,
 *  which detaches the loop device of each file disk (38 to 58 s under TCG here). Waits for the
 *  cell's loop devices to go, so the leak check sees the end state rather than the race. */
async function waitForLoopRelease(dom0: HostSession['dom0'], cellDir: string, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    const r = await dom0.run(`losetup -a 2>/dev/null | grep -F ${sq(`${cellDir}/`)} || true`, 15_000);
    if (!r.stdout.trim() || Date.now() >= until) return;
    await new Promise((res) => setTimeout(res, 1_000));
  }
}
