// Fresh guests on Xen. Once the domU answers SSH its state is saved with `xl save -c` (the
// domain runs on); each later suite gets `xl destroy` + `xl restore` of that file and a new SSH
// connection. On the nested host under TCG: 6.8-7.3 s to SSH, against about 14 s for staging,
// xl create and a boot. The saved file is as big as the domain's memory; it goes in the cell's
// folder on dom0 and is removed with it.
import { ConnectionLostError, InfraError, TrustError, describe } from '../../core/errors.ts';
import type { Shell } from '../../core/shell.ts';
import { oneLine, type Dom0 } from './dom0.ts';
import type { LiveDomain } from './live-domain.ts';
import { sq } from './quote.ts';

export interface FreshDomainDeps {
  dom0: Dom0;
  domain: LiveDomain;
  /** Where the saved state goes on dom0 (the cell's folder). */
  savePath: string;
  memoryMiB: number;
  /** A new SSH connection to the guest, trying until `deadline`. */
  connect(deadline: number): Promise<Shell>;
  /** `xl create` again from the cell's config, to a new connection: a life that must boot. */
  bootAgain(): Promise<Shell>;
  /** The guest's console tail, for a restored guest that does not answer. */
  consoleTail(): Promise<string>;
  /** The budget from the restore to SSH (the boot budget, scaled for the host). */
  restoreBudgetMs: number;
  log(message: string): void;
}

/** Room the saved state needs beyond the domain's memory (xl's headers, page tables). */
const SAVE_MARGIN_MIB = 32;

export class FreshDomain {
  /** How long `xl save -c` took (the domain is suspended meanwhile). */
  saveMs = 0;
  sizeMiB = 0;

  constructor(private readonly deps: FreshDomainDeps) {}

  /** MiB free where the state goes: df of the folder, or dom0's available memory where the
   *  folder has no mount of its own (the nested host's root is its initramfs, in RAM). */
  private async room(): Promise<number> {
    const dir = this.deps.savePath.replace(/\/[^/]*$/, '') || '/';
    const r = await this.deps.dom0.run(`df -Pm ${sq(dir)} 2>/dev/null | awk 'NR==2 && $1 != "rootfs" {print $4}' | grep . || awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo`, 10_000);
    const mib = Number(r.stdout.trim().split('\n').pop());
    return Number.isFinite(mib) ? mib : 0;
  }

  /** Saves the running guest; throws InfraError when dom0 has no room or `xl save` fails (the
   *  domain runs on either way: xl resumes it after a failed save). */
  async save(): Promise<void> {
    const { dom0, domain, savePath, memoryMiB } = this.deps;
    const room = await this.room();
    if (room < memoryMiB + SAVE_MARGIN_MIB)
      throw new InfraError(`${dom0.where} has ${room} MiB free for the saved state of a ${memoryMiB} MiB domain (needs about ${memoryMiB + SAVE_MARGIN_MIB} MiB)`);
    const started = Date.now();
    const r = await dom0.xl('save', ['-c', domain.name, savePath]);
    if (r.code !== 0) {
      await dom0.run(`rm -f ${sq(savePath)}`, 10_000).catch(() => {});
      throw new InfraError(`xl save -c ${domain.name} failed (exit ${r.code}): ${oneLine(r.stderr || r.stdout)}`);
    }
    this.saveMs = Date.now() - started;
    this.sizeMiB = Math.round(Number((await dom0.run(`stat -c %s ${sq(savePath)}`, 10_000)).stdout.trim()) / 2 ** 20) || 0;
  }

  /** A guest as it was when saved (a new domain, so a new domid), over a new connection. With
   *  `coldBoot` the domain is made again from its config and boots. A saved state that does not
   *  give a guest that answers is the harness's mechanism failing, not a promise of the manual
   *  pages broken: that suite and the later ones get a domain made again instead, and the log
   *  says so. (A panic on the console is still the guest's: the cell's panic watch sees it.) */
  async restore(opts: { coldBoot?: boolean } = {}): Promise<Shell> {
    const t0 = Date.now();
    await this.deps.dom0.destroyDomain(this.deps.domain.name);
    if (opts.coldBoot || this.restoreFailed) return this.deps.bootAgain();
    try {
      return await this.restoreSaved(Date.now() - t0);
    } catch (e) {
      if (e instanceof TrustError || e instanceof ConnectionLostError) throw e;
      this.restoreFailed = true;
      this.deps.log(`the saved state did not give a guest that answers (${describe(e)}); making the domain again with xl create, for this suite and the later ones`);
      await this.deps.dom0.destroyDomain(this.deps.domain.name);
      return this.deps.bootAgain();
    }
  }

  /** Set once a restore failed: later suites get a domain made again rather than trying again. */
  private restoreFailed = false;

  private async restoreSaved(destroyMs: number): Promise<Shell> {
    const { dom0, domain, savePath } = this.deps;
    const started = Date.now();
    const r = await dom0.xl('restore', [savePath]);
    const restored = Date.now();
    if (r.code !== 0) throw new InfraError(`xl restore ${savePath} failed (exit ${r.code}): ${oneLine(r.stderr || r.stdout)}`);
    const domid = await dom0.domid(domain.name);
    if (domid === null) throw new InfraError(`the restored domain ${domain.name} is gone at once; console tail:\n${await this.deps.consoleTail()}`);
    domain.domid = domid;
    try {
      const sh = await this.deps.connect(started + this.deps.restoreBudgetMs);
      const s = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
      this.deps.log(`domain ${domain.name} restored as domid ${domid}: xl destroy ${(destroyMs / 1000).toFixed(1)} s, xl restore ${s(started, restored)} s, to SSH ${s(restored, Date.now())} s`);
      return sh;
    } catch (e) {
      if (e instanceof TrustError) throw e;
      throw new InfraError(`the guest restored from its saved state did not answer SSH: ${describe(e)}; console tail:\n${await this.deps.consoleTail()}`, { cause: e });
    }
  }
}
