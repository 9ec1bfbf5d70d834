// One cell: provider boots the guest -> transport reaches it -> each check runs -> results
// stream out. Every way a cell can end is mapped to the four states here, and only here.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Cell } from '../plan/plan.ts';
import type { Check, CheckContext, GuestOs } from '../core/checks.ts';
import { unmetRequirement } from '../core/checks.ts';
import type { Artifact, CheckResult, Citation } from '../core/results.ts';
import { InfraError, OutputError, TimeoutError, UsageError, describe } from '../core/errors.ts';
import { NoImageError, type GuestImage } from '../images/guest-image.ts';
import { resolveImage } from '../images/resolve.ts';
import { providerFor, slowdownFor } from '../providers/registry.ts';
import type { Machine, Provider } from '../providers/provider.ts';
import type { HypervisorConfig } from '../config/schema.ts';
import { BASE_TIMEOUTS, scaled } from '../core/timeouts.ts';
import { connectSsh, type ConnectOptions } from '../transport/ssh.ts';
import type { Shell, SshEndpoint } from '../core/shell.ts';
import type { GuestAdapter } from '../core/guest-adapter.ts';
import { adapterFor } from '../guests/registry.ts';
import type { ResultSink } from '../results/sink.ts';
import { guestStopped, startFailed, stepFailed, type Outcome } from './cell-outcome.ts';
import { outputError } from '../results/output-error.ts';
import { panicOnConsole, watchForPanic } from './panic-watch.ts';
import { guestLives, livesThatMayRun, prepareBeforeSave, snapshotMode } from './suite-lives.ts';
import { bootMessagesOnce } from '../../suites/probe/gather.ts';
import { BOOT_CHECK } from '../core/results.ts';

const BOOT_CITATION: Citation = { kind: 'source', fact: 'the guest boots and answers SSH with its pinned host key: every other check of the cell needs this', where: 'pvconform harness' };

export interface CellRunContext {
  run: string;
  plan: string;
  runDir: string;
  /** Scratch root; each cell gets a folder inside, removed when the cell ends. */
  workRoot: string;
  sink: ResultSink;
  signal: AbortSignal;
  log(cell: string, message: string): void;
  notice(message: string): void;
}

export interface CellFigures {
  bootToSshMs: number | null;
  cellMs: number;
  checkMs: number[];
  /** The cell could not run for lack of its image (the run is then not green, exit 4). */
  noImage: boolean;
}

export function cellDirName(cellId: string): string {
  return cellId.replace(/[^A-Za-z0-9._@-]/g, '_');
}

/** The one result record of a check (null: boot/ssh) in a cell. */
export function resultOf(ctx: { run: string; plan: string }, cell: Cell, check: Pick<Check, 'id' | 'suite' | 'citation'> | null, outcome: Outcome, started: number, artifacts: Artifact[] = []): CheckResult {
  return {
    v: 1,
    run: ctx.run,
    plan: ctx.plan,
    cell: cell.id,
    guest: cell.guest.name,
    hypervisor: cell.hypervisor.name,
    check: check?.id ?? BOOT_CHECK,
    suite: check?.suite ?? 'boot',
    state: outcome.state,
    message: outcome.message,
    citation: check ? check.citation : BOOT_CITATION,
    durationMs: Date.now() - started,
    startedAt: new Date(started).toISOString(),
    artifacts,
  };
}

/** What a cell needs from the outside world; tests give doubles (test/doubles/fake-provider,
 *  fake-guest) so every way a cell can end is mapped without a VM. */
export interface CellDeps {
  resolveImage(name: string): Promise<GuestImage>;
  providerFor(config: HypervisorConfig, options: { notice(message: string): void }): Promise<Provider>;
  connect(endpoint: SshEndpoint, options: ConnectOptions): Promise<Shell>;
  adapterFor(os: GuestOs): Promise<GuestAdapter>;
}

export const REAL_CELL_DEPS: CellDeps = { resolveImage, providerFor, connect: connectSsh, adapterFor };

/** Rejects when the signal fires, so a hung step never outlives Ctrl-C. */
function abortedPromise(signal: AbortSignal): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    const fire = () => reject(new InfraError('interrupted'));
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
  p.catch(() => {});
  return p;
}

export async function runCell(cell: Cell, ctx: CellRunContext, deps: CellDeps = REAL_CELL_DEPS): Promise<CellFigures> {
  const cellStart = Date.now();
  const artifactsDir = join(ctx.runDir, 'artifacts', cellDirName(cell.id));
  await mkdir(artifactsDir, { recursive: true }).catch((e) => {
    throw outputError(ctx.runDir, e, `artifacts of ${cell.id}`);
  });
  const figures: CellFigures = { bootToSshMs: null, cellMs: 0, checkMs: [], noImage: false };
  const record = (check: Pick<Check, 'id' | 'suite' | 'citation'> | null, outcome: Outcome, started: number, artifacts: Artifact[] = []) => ctx.sink.add(resultOf(ctx, cell, check, outcome, started, artifacts));
  const done = () => ({ ...figures, cellMs: Date.now() - cellStart });
  const interrupted = abortedPromise(ctx.signal);

  // 1. The image, the machine and the SSH connection: boot/ssh's result. With snapshots per
  //    suite and more than one suite, the machine is saved at readiness (suite-lives.ts).
  const lives = guestLives(cell.checks, snapshotMode(cell.hypervisor));
  let machine: Machine | null = null;
  let sh: Shell | null = null;
  let image: GuestImage | null = null;
  const bootStart = Date.now();
  try {
    image = await deps.resolveImage(cell.guest.image ?? cell.guest.name);
    const provider = await deps.providerFor(cell.hypervisor, { notice: ctx.notice });
    const kernel = image.boot.kind === 'kernel' ? image.boot.kernel : null;
    const timeouts = scaled(BASE_TIMEOUTS, await slowdownFor(cell.hypervisor, provider, kernel));
    const extraKernelArgs = [cell.guest.extraKernelArgs, cell.guest.withoutDrivers.length ? `pvconform.nomod=${cell.guest.withoutDrivers.join(',')}` : ''].filter(Boolean).join(' ');
    ctx.log(cell.id, `booting ${image.name} on ${cell.hypervisor.name}`);
    const os = image.os;
    const wantsFresh = livesThatMayRun(lives, os, provider.offersBeforeBoot?.(cell.hypervisor) ?? {}) > 1;
    const booting = provider.boot(
      {
        cellId: cell.id,
        image,
        hypervisor: cell.hypervisor,
        workDir: join(ctx.workRoot, cellDirName(cell.id)),
        artifactsDir,
        runDir: ctx.runDir,
        timeouts,
        extraKernelArgs,
        log: (m) => ctx.log(cell.id, m),
        freshPerSuite: wantsFresh,
        ...(os === 'linux' ? {} : { prepareFresh: (s: Shell) => prepareBeforeSave(os, s) }),
      },
      ctx.signal,
    );
    // A machine that comes up after Ctrl-C is still stopped.
    booting.then((m) => (ctx.signal.aborted ? m.stop() : undefined), () => {});
    machine = await Promise.race([booting, interrupted]);
    figures.bootToSshMs = machine.bootToSshMs;
    // Said once, so a reader of the log knows the later suites may see what the earlier left.
    if (wantsFresh && !machine.restoreFresh) ctx.log(cell.id, `the suites of this cell share one guest: ${cell.hypervisor.provider} could not give a fresh guest per suite here (see the lines above, or its README section)`);
    // The provider's readiness probe hands its connection on where it has one.
    sh = machine.shell ?? await Promise.race([deps.connect(machine.ssh, { deadline: Date.now() + timeouts.connectMs * 3, connectTimeoutMs: timeouts.connectMs, commandTimeoutMs: timeouts.commandMs, signal: ctx.signal }), interrupted]);
    record(null, { state: 'pass', message: `${image.name} answered SSH ${(machine.bootToSshMs / 1000).toFixed(1)} s after the start of boot (${describeOffers(machine)})` }, bootStart, machine.artifacts);
  } catch (e) {
    try {
      // A guest that panicked on its way up (or between its ready marker and our login) broke
      // its promise, whatever error its absence caused here.
      const usable = !(e instanceof UsageError) && !(e instanceof NoImageError) && !ctx.signal.aborted;
      const panic = usable && image ? await panicOnConsole(machine?.consoleLog ?? join(artifactsDir, 'console.log')) : null;
      const { boot, rest } = startFailed(panic ?? e, ctx.signal.aborted);
      figures.noImage = e instanceof NoImageError;
      const consoleArtifact: Artifact[] = image && !figures.noImage ? [{ kind: 'console', path: relative(ctx.runDir, join(artifactsDir, 'console.log')) }] : [];
      record(null, boot, bootStart, consoleArtifact);
      for (const c of cell.checks) record(c, rest, Date.now());
    } finally {
      await sh?.close().catch(() => {});
      await machine?.stop().catch((err) => ctx.log(cell.id, `stop failed: ${describe(err)}`));
    }
    return done();
  }

  // 2. The checks. Each planned check gets exactly one result, whatever stops when.
  const panic = watchForPanic(machine.consoleLog);
  /** A guest fault seen outside a check: the next check to run fails with it. */
  let goneDown: Outcome | null = null;
  /** Why no later check can run. */
  let notRun: Outcome | null = null;
  const artifacts: Artifact[] = [...machine.artifacts];
  const saveArtifact = async (kind: string, name: string, text: string) => {
    const path = join(artifactsDir, name);
    await writeFile(path, text);
    const rel = relative(ctx.runDir, path);
    artifacts.push({ kind, path: rel });
    return rel;
  };
  /** Runs one step of the cell; a panic on the console or Ctrl-C ends it at once. */
  const step = async <T>(what: Promise<T>): Promise<T> => {
    what.catch(() => {}); // a step overtaken by a panic or an abort still settles later
    try {
      return await Promise.race([what, panic.panicked, interrupted]);
    } catch (e) {
      throw (ctx.signal.aborted ? null : await panic.check()) ?? e;
    }
  };
  /** After a step failed outside a check's verdict: what the later checks get. */
  const stopAfter = (e: unknown, during: string) => {
    const o = stepFailed(e, ctx.signal.aborted, during);
    if (o.check.state === 'fail') goneDown = o.check;
    else notRun = o.rest;
    return o;
  };
  let shell = sh;
  let guest: GuestAdapter | null = null;
  try {
    guest = await deps.adapterFor(image.os);
    try {
      const text = await step(bootMessagesOnce({ guest, sh: shell }));
      await saveArtifact('dmesg', 'dmesg.txt', text).catch((e) => ctx.log(cell.id, `could not save boot messages: ${describe(e)}`));
    } catch (e) {
      const o = stopAfter(e, 'the reading of the boot messages, before the first check');
      if (!o.rest) ctx.log(cell.id, `could not read boot messages: ${describe(e)}`);
    }
    let checkCtx: CheckContext = { cell: cell.id, sh: shell, guest: guest, offers: machine.offers, hostKv: machine.hostKv, hostControl: machine.hostControl, saveArtifact };
    const m = machine;
    /** A check ran in this guest since it was booted or restored: the next suite needs a fresh one. */
    let used = false;
    for (const [lifeIndex, life] of lives.entries()) {
      // A fresh guest for each suite after the first, restored from the state saved at boot;
      // not when every earlier check skipped (reading the boot messages changes nothing).
      const needsGuest = life.checks.some((c) => !unmetRequirement(c, image.os, m.offers, m.hostKv !== undefined));
      if (lifeIndex > 0 && m.restoreFresh && needsGuest && used && !notRun && !goneDown) {
        used = false;
        const restoreStart = Date.now();
        try {
          await shell.close().catch(() => {});
          shell = await step(m.restoreFresh({ coldBoot: life.coldBoot }));
          checkCtx = { ...checkCtx, sh: shell };
          await step(bootMessagesOnce({ guest, sh: shell })); // this life's facts, before its checks
          ctx.log(cell.id, `fresh guest for ${life.suite} in ${Date.now() - restoreStart} ms${life.coldBoot ? ' (cold boot)' : ''}`);
        } catch (e) {
          const during = `the restore of a fresh guest for suite ${life.suite}`;
          const o = stopAfter(e, during);
          // Without a fresh guest no later check can run, whatever the kind of trouble.
          if (!o.rest && o.check.state !== 'fail') notRun = { state: 'error', message: `not run: no fresh guest for suite ${life.suite} (${o.check.message})` };
        }
      }
    for (const check of life.checks) {
      const started = Date.now();
      if (notRun) {
        record(check, notRun, started);
        continue;
      }
      if (goneDown) {
        record(check, goneDown, started);
        goneDown = null;
        notRun = { state: 'skip', message: `not run: the guest went down (see ${check.id})` };
        continue;
      }
      const why = unmetRequirement(check, image.os, machine.offers, machine.hostKv !== undefined);
      if (why) {
        record(check, { state: 'skip', message: why }, started);
        continue;
      }
      let threw: unknown = null;
      used = true;
      try {
        const verdict = await step(check.run(checkCtx));
        figures.checkMs.push(Date.now() - started);
        record(check, { state: verdict.state, message: verdict.message }, started, artifactsOf(artifacts));
        continue;
      } catch (e) {
        if (e instanceof OutputError) throw e;
        threw = e;
      }
      const outcome = stepFailed(threw, ctx.signal.aborted, check.id);
      record(check, outcome.check, started, artifactsOf(artifacts));
      notRun = outcome.rest;
      if (!notRun && threw instanceof TimeoutError) {
        // Does the guest still answer at all? A frozen guest would otherwise cost every later
        // check its full timeout.
        await step(shell.exec('true', { timeoutMs: LIVENESS_MS })).catch((e2: unknown) => {
          const o = stopAfter(e2, `the liveness probe after ${check.id} timed out`);
          if (!goneDown && o.check.state === 'error' && !ctx.signal.aborted) notRun = guestStopped(e2, check.id);
        });
      }
    }
    }
  } finally {
    panic.stop();
    if (!notRun && !goneDown && !ctx.signal.aborted && !machine.discardsGuestOnStop) await guest?.powerOff?.(shell);
    await shell.close().catch(() => {});
    await machine.stop().catch((e) => ctx.log(cell.id, `stop failed: ${describe(e)}`));
  }
  return done();
}

/** How long a guest that just timed out gets to answer `true` before it counts as stopped. */
const LIVENESS_MS = 10_000;

function artifactsOf(list: Artifact[]): Artifact[] {
  return list.filter((a) => a.kind === 'console' || a.kind === 'dmesg');
}

function describeOffers(m: Machine): string {
  const o = m.offers;
  return [o.family + (o.accel ? `/${o.accel}` : '') + (o.flavour ? `/${o.flavour}` : ''), `virtio: ${o.virtio.join(',') || 'none'}`, `interfaces: ${o.interfaces.join(',') || 'none'}`].join('; ');
}
