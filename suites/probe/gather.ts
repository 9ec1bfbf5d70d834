// Gathering, kept apart from judging: run things in the guest through the adapter and hand back
// plain data (attach tree, probe report, command output) for the pure verdict functions.
import type { CheckContext } from '../../harness/core/checks.ts';
import type { Shell } from '../../harness/core/shell.ts';
import { InfraError, describe } from '../../harness/core/errors.ts';
import { parseBootLog, UnrecognisedBootLog, type AttachTree } from '../../harness/bootlog/index.ts';
import { probeGuest, type UserRole } from './guest-ops.ts';
import { parsePvbusReport, parseXenbusReport, type PvbusReport, type XenbusReport } from './report.ts';
import { shCommand } from './shell-quote.ts';
import type { GuestAdapter, VirtioDevice } from '../../harness/core/guest-adapter.ts';
import { LINUX_FACTS_COMMAND, parseLinuxFacts, type LinuxFacts } from './linux-facts.ts';

/** Who runs a command: root, or one of the unprivileged users. */
export type Runner = 'root' | UserRole;

export interface CommandOutput {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

// What the checks of a guest life read (virtio listing, boot messages, the sysfs details behind
// them) is gathered once per connection and judged by every check that wants it. A restored
// guest comes with a new connection, so it is gathered again. Failures are not cached.
type Life = { guest: GuestAdapter; sh: Shell };

function once<T>(cache: WeakMap<Shell, Promise<T>>, sh: Shell, gather: () => Promise<T>): Promise<T> {
  let p = cache.get(sh);
  if (!p) {
    p = gather();
    cache.set(sh, p);
    p.catch(() => cache.delete(sh));
  }
  return p;
}

const linuxFacts = new WeakMap<Shell, Promise<LinuxFacts>>();
const bootTexts = new WeakMap<Shell, Promise<string>>();
const virtioLists = new WeakMap<Shell, Promise<VirtioDevice[]>>();

/** A Linux guest's facts, from one command that prints them all. */
export function linuxGuestFacts(ctx: Life): Promise<LinuxFacts> {
  if (ctx.guest.os !== 'linux') return Promise.reject(new InfraError(`Linux facts asked of a ${ctx.guest.os} guest`));
  return once(linuxFacts, ctx.sh, async () => {
    const r = await ctx.sh.exec(LINUX_FACTS_COMMAND);
    if (r.code !== 0) throw new InfraError(`gathering the guest's virtio facts and boot messages failed (exit ${r.code}): ${r.stderr.trim()}`);
    return parseLinuxFacts(r.stdout);
  });
}

/** The kernel's boot messages, read once per guest life. */
export function bootMessagesOnce(ctx: Life): Promise<string> {
  if (ctx.guest.os === 'linux') return linuxGuestFacts(ctx).then((f) => f.bootMessages);
  return once(bootTexts, ctx.sh, () => ctx.guest.bootMessages(ctx.sh));
}

/** Every virtio device the guest sees, listed once per guest life. */
export function virtioDevicesOnce(ctx: Life): Promise<VirtioDevice[]> {
  if (ctx.guest.os === 'linux') return linuxGuestFacts(ctx).then((f) => f.virtio.devices);
  return once(virtioLists, ctx.sh, () => ctx.guest.virtioDevices(ctx.sh));
}

const trees = new WeakMap<Shell, Promise<AttachTree>>();
const probeRuns = new WeakMap<Shell, Map<string, Promise<string>>>();
const buildLogged = new WeakSet<Shell>();

/** The boot messages as an attach tree, parsed once per connection. */
export function bootTree(ctx: CheckContext): Promise<AttachTree> {
  let p = trees.get(ctx.sh);
  if (!p) {
    p = bootMessagesOnce(ctx).then((text) => {
      try {
        return parseBootLog(text);
      } catch (e) {
        if (e instanceof UnrecognisedBootLog) throw new InfraError(`boot messages did not parse: ${e.message}`);
        throw e;
      }
    });
    trees.set(ctx.sh, p);
    p.catch(() => trees.delete(ctx.sh));
  }
  return p;
}

/** Runs a command as root or as a role's user; a non-zero exit is data, a broken channel throws. */
export async function runAs(ctx: CheckContext, who: Runner, command: string, timeoutMs = 60_000): Promise<CommandOutput> {
  const g = probeGuest(ctx);
  const r = who === 'root' ? await g.asRoot(ctx.sh, command, { timeoutMs }) : await g.asUser(ctx.sh, await g.ensureUser(ctx.sh, who), command, { timeoutMs });
  if (r.signal) throw new InfraError(`\`${command}\` died of signal ${r.signal}`);
  return { command, code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** hostctl(8) with these arguments, by its full path: su keeps the caller's PATH, which for an
 *  unprivileged user need not hold /usr/sbin. err(3) still names it "hostctl". */
export function hostctl(ctx: CheckContext, args: string[], who: Runner = 'root'): Promise<CommandOutput> {
  return runAs(ctx, who, shCommand(['/usr/sbin/hostctl', ...args]));
}

async function probeBinary(ctx: CheckContext): Promise<string> {
  const built = await probeGuest(ctx).probe(ctx.sh);
  if (built.compilerOutput && !buildLogged.has(ctx.sh)) {
    buildLogged.add(ctx.sh);
    await ctx.saveArtifact('probe-build', 'cc-warnings.txt', built.compilerOutput);
  }
  return built.path;
}

async function runProbe(ctx: CheckContext, who: Runner, args: string[], artifact: string, cacheable: boolean): Promise<string> {
  const bin = await probeBinary(ctx);
  const command = shCommand([bin, ...args]);
  const key = `${who} ${command}`;
  let runs = probeRuns.get(ctx.sh);
  if (!runs) probeRuns.set(ctx.sh, (runs = new Map()));
  const cached = cacheable ? runs.get(key) : undefined;
  if (cached) return cached;
  const p = (async () => {
    const out = await runAs(ctx, who, command);
    if (out.code !== 0) throw new InfraError(`the probe exited ${out.code} (${who}): ${out.stderr.trim() || out.stdout.trim().slice(0, 500)}`);
    await ctx.saveArtifact('probe', `${artifact}.json`, out.stdout);
    return out.stdout;
  })();
  if (cacheable) {
    runs.set(key, p);
    p.catch(() => runs.delete(key));
  }
  return p;
}

export interface PvbusProbeOptions {
  /** Key for the KVREAD calls. */
  key?: string | null;
  /** KVWRITE on the O_RDWR descriptor (a side effect: such runs are cached only when asked). */
  write?: { key: string; value: string };
  /** Reuse the report of an identical earlier run on this connection. */
  cache?: boolean;
  as?: Runner;
  /** Artifact name, e.g. "pvbus-root". */
  label: string;
}

export async function pvbusProbe(ctx: CheckContext, opts: PvbusProbeOptions): Promise<PvbusReport> {
  const args = ['pvbus'];
  if (opts.key) args.push('-k', opts.key);
  if (opts.write) args.push('-w', opts.write.key, '-v', opts.write.value);
  const text = await runProbe(ctx, opts.as ?? 'root', args, opts.label, opts.cache ?? !opts.write);
  return parsePvbusReport(text);
}

export type XenbusOpSpec = { op: 'read' | 'dir'; path: string } | { op: 'write'; path: string; value: string };

export async function xenbusProbe(ctx: CheckContext, ops: XenbusOpSpec[], label: string, who: Runner = 'root'): Promise<XenbusReport> {
  const args = ['xenbus'];
  for (const o of ops) args.push(o.op, o.path, ...(o.op === 'write' ? [o.value] : []));
  const text = await runProbe(ctx, who, args, label, ops.every((o) => o.op !== 'write'));
  return parseXenbusReport(text);
}

/** Reads a file in the guest as root: its text, or null when it does not exist. */
export async function readGuestFile(ctx: CheckContext, path: string): Promise<string | null> {
  const out = await runAs(ctx, 'root', `if [ -e ${shCommand([path])} ]; then cat ${shCommand([path])}; else echo __pvconform_absent__ >&2; exit 3; fi`);
  if (out.code === 3 && out.stderr.includes('__pvconform_absent__')) return null;
  if (out.code !== 0) throw new InfraError(`reading ${path} failed (exit ${out.code}): ${out.stderr.trim()}`);
  return out.stdout;
}

/** Host-side key/value access, wrapped so its failures read as the host's, not the guest's. */
export async function onHost<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (e) {
    if (e instanceof InfraError) throw e;
    throw new InfraError(`host side: ${what} failed: ${describe(e)}`, { cause: e });
  }
}
