// A dom0 reached over SSH: `xl` and the XenStore tools, every call with its own timeout, every
// failure an InfraError that names the command and what dom0 said.
import { ConnectionLostError, InfraError, TimeoutError, describe } from '../../core/errors.ts';
import type { ExecResult, Shell } from '../../core/shell.ts';
import { sq } from './quote.ts';

/** Per-verb limits for `xl`, before the host's slowness factor. */
export const XL_TIMEOUTS = {
  info: 15_000,
  list: 15_000,
  domid: 10_000,
  // With a data disk, the block hotplug script alone took 60 to 80 s on the nested host under
  // TCG with the machine loaded (load average 17 on 2 cores).
  create: 240_000,
  shutdown: 15_000,
  // Removing a disk and a vif (their hotplug scripts) took 38 to 58 s there.
  destroy: 120_000,
  dmesg: 15_000,
  // Saving and restoring a 192 MiB PV domU to and from dom0's RAM: 2 to 4 s each on the nested
  // host under TCG.
  save: 120_000,
  restore: 120_000,
} as const;

export type XlVerb = keyof typeof XL_TIMEOUTS;

export interface DomainRow {
  name: string;
  id: number;
  memMiB: number;
  state: string;
}

export class Dom0 {
  /** `xl` as this dom0 has it (Debian's wrapper in /usr/sbin, or the versioned binary). */
  private xlPath = 'xl';

  constructor(
    readonly sh: Shell,
    /** `root@address:port`, for messages. */
    readonly where: string,
    /** Multiplies every timeout: a nested host under TCG is several times slower. */
    readonly slowness = 1,
  ) {}

  /** Finds `xl` and proves this is a privileged dom0 with a running toolstack. */
  async probe(): Promise<{ xenVersion: string; freeMemoryMiB: number }> {
    const found = await this.run('command -v xl || ls /usr/lib/xen-*/bin/xl 2>/dev/null | tail -n 1', 10_000);
    const path = found.stdout.trim().split('\n').pop() ?? '';
    if (!path) throw new InfraError(`${this.where}: no \`xl\` on this host (is it a Xen dom0 with xen-utils installed?)`);
    this.xlPath = path;
    const info = await this.xl('info', []);
    if (info.code !== 0) throw new InfraError(`${this.where}: \`xl info\` failed (${info.code}): ${oneLine(info.stderr || info.stdout)}`);
    const field = (k: string) => new RegExp(`^${k}\\s*:\\s*(.+)$`, 'm').exec(info.stdout)?.[1]?.trim() ?? '';
    return { xenVersion: field('xen_version'), freeMemoryMiB: Number(field('free_memory')) || 0 };
  }

  /** A shell command on dom0 with a deadline; a timeout or a lost connection is an InfraError. */
  async run(command: string, timeoutMs: number, stdin?: string | Buffer): Promise<ExecResult> {
    try {
      return await this.sh.exec(command, { timeoutMs: Math.round(timeoutMs * this.slowness), stdin });
    } catch (e) {
      // Keep the type (a lost connection, a timeout): callers tell failures apart by it.
      if (e instanceof ConnectionLostError) {
        this.closedFlag = true;
        throw new ConnectionLostError(`${this.where}: ${describe(e)}`, { cause: e });
      }
      if (e instanceof TimeoutError) throw new TimeoutError(`${this.where}: ${describe(e)}`, e.timeoutMs, { cause: e });
      throw new InfraError(`${this.where}: ${describe(e)}`, { cause: e });
    }
  }

  /** Runs a command that must succeed; returns its stdout. */
  async must(command: string, timeoutMs: number, what: string, stdin?: string | Buffer): Promise<string> {
    const r = await this.run(command, timeoutMs, stdin);
    if (r.code !== 0) throw new InfraError(`${this.where}: ${what} failed (exit ${r.code ?? r.signal}): ${oneLine(r.stderr || r.stdout)}`);
    return r.stdout;
  }

  /** `xl <verb> <args>` with that verb's own timeout. */
  xl(verb: XlVerb, args: string[], timeoutMs: number = XL_TIMEOUTS[verb]): Promise<ExecResult> {
    return this.run([sq(this.xlPath), verb, ...args.map(sq)].join(' '), timeoutMs);
  }

  async domains(): Promise<DomainRow[]> {
    const r = await this.xl('list', []);
    if (r.code !== 0) throw new InfraError(`${this.where}: \`xl list\` failed (${r.code}): ${oneLine(r.stderr)}`);
    return parseXlList(r.stdout);
  }

  /** The domain's id, or null when no domain has that name. */
  async domid(name: string): Promise<number | null> {
    const r = await this.xl('domid', [name]);
    if (r.code === 0 && /^\d+$/.test(r.stdout.trim())) return Number(r.stdout.trim());
    return null;
  }

  /** Destroys the named domain if there is one; throws when it is still there afterwards. */
  async destroyDomain(name: string): Promise<void> {
    if ((await this.domid(name)) === null) return;
    const d = await this.xl('destroy', [name]);
    if (d.code !== 0 && (await this.domid(name)) !== null) throw new InfraError(`xl destroy ${name} failed: ${oneLine(d.stderr)}`);
  }

  async xsRead(path: string): Promise<string | null> {
    const r = await this.run(`xenstore-read ${sq(path)}`, 10_000);
    return r.code === 0 ? r.stdout.replace(/\n$/, '') : null;
  }

  async xsWrite(path: string, value: string): Promise<void> {
    await this.must(`xenstore-write ${sq(path)} ${sq(value)}`, 10_000, `xenstore-write ${path}`);
  }

  /** Children of a XenStore node, or null when the node does not exist. */
  async xsList(path: string): Promise<string[] | null> {
    const r = await this.run(`xenstore-list ${sq(path)}`, 10_000);
    if (r.code !== 0) return null;
    return r.stdout.split('\n').filter(Boolean);
  }

  async xsRemove(path: string): Promise<void> {
    const r = await this.run(`xenstore-rm ${sq(path)}`, 10_000);
    // Removing what is not there is what the caller wanted.
    if (r.code !== 0 && !/could not remove|ENOENT/i.test(r.stderr)) throw new InfraError(`${this.where}: xenstore-rm ${path} failed: ${oneLine(r.stderr)}`);
  }

  private closedFlag = false;

  /** True once close() ran or a command found the connection gone. */
  get closed(): boolean {
    return this.closedFlag;
  }

  close(): Promise<void> {
    this.closedFlag = true;
    return this.sh.close();
  }
}

/** `xl list`'s table: Name ID Mem VCPUs State Time(s). */
export function parseXlList(text: string): DomainRow[] {
  const rows: DomainRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+\d+\s+(\S+)/.exec(line.trim());
    if (m) rows.push({ name: m[1], id: Number(m[2]), memMiB: Number(m[3]), state: m[4] });
  }
  return rows;
}

export function oneLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).slice(-3).join(' / ').slice(0, 400) || '(no output)';
}
