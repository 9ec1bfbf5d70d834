// One cell: provider boots the guest -> transport reaches it -> each check runs -> results
// stream out. Every way a cell can end is mapped to the four states here, and only here.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Cell } from '../plan/plan.ts';
import type { Check, CheckContext } from '../core/checks.ts';
import { unmetRequirement } from '../core/checks.ts';
import type { Artifact, CheckResult, Citation, State } from '../core/results.ts';
import { BootError, UsageError, describe } from '../core/errors.ts';
import { NoImageError, type GuestImage } from '../images/guest-image.ts';
import { resolveImage } from '../images/resolve.ts';
import { providerFor, slowdownFor } from '../providers/registry.ts';
import type { Machine } from '../providers/provider.ts';
import { BASE_TIMEOUTS, scaled } from '../core/timeouts.ts';
import { connectSsh } from '../transport/ssh.ts';
import type { Shell } from '../transport/shell.ts';
import { adapterFor } from '../guests/registry.ts';
import type { ResultSink } from '../results/sink.ts';
import { guestLives, prepareBeforeSave, snapshotMode } from './suite-lives.ts';
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
}

export function cellDirName(cellId: string): string {
  return cellId.replace(/[^A-Za-z0-9._@-]/g, '_');
}

export async function runCell(cell: Cell, ctx: CellRunContext): Promise<CellFigures> {
  const cellStart = Date.now();
  const artifactsDir = join(ctx.runDir, 'artifacts', cellDirName(cell.id));
  await mkdir(artifactsDir, { recursive: true });
  const figures: CellFigures = { bootToSshMs: null, cellMs: 0, checkMs: [] };
  const record = (check: Pick<Check, 'id' | 'suite' | 'citation'> | null, state: State, message: string, started: number, artifacts: Artifact[] = []) => {
    const r: CheckResult = {
      v: 1,
      run: ctx.run,
      plan: ctx.plan,
      cell: cell.id,
      guest: cell.guest.name,
      hypervisor: cell.hypervisor.name,
      check: check?.id ?? BOOT_CHECK,
      suite: check?.suite ?? 'boot',
      state,
      message,
      citation: check ? check.citation : BOOT_CITATION,
      durationMs: Date.now() - started,
      startedAt: new Date(started).toISOString(),
      artifacts,
    };
    ctx.sink.add(r);
  };
  const all = (state: State, message: string) => {
    for (const c of cell.checks) record(c, state, message, Date.now());
  };

  // 1. The image.
  let image: GuestImage;
  const t0 = Date.now();
  try {
    image = await resolveImage(cell.guest.image ?? cell.guest.name);
  } catch (e) {
    if (e instanceof NoImageError) {
      record(null, 'skip', e.message, t0);
      all('skip', e.message);
      return { ...figures, cellMs: Date.now() - cellStart };
    }
    if (e instanceof UsageError) throw e;
    record(null, 'error', `cannot resolve image: ${describe(e)}`, t0);
    all('error', 'not run: the image could not be resolved (infrastructure)');
    return { ...figures, cellMs: Date.now() - cellStart };
  }

  // 2. The machine. With snapshots per suite and more than one suite, it is saved at readiness.
  const lives = guestLives(cell.checks, snapshotMode(cell.hypervisor));
  let machine: Machine | null = null;
  let sh: Shell | null = null;
  const bootStart = Date.now();
  try {
    const provider = await providerFor(cell.hypervisor, { notice: ctx.notice });
    const kernel = image.boot.kind === 'kernel' ? image.boot.kernel : null;
    const timeouts = scaled(BASE_TIMEOUTS, await slowdownFor(cell.hypervisor, provider, kernel));
    const extraKernelArgs = [cell.guest.extraKernelArgs, cell.guest.withoutDrivers.length ? `pvconform.nomod=${cell.guest.withoutDrivers.join(',')}` : ''].filter(Boolean).join(' ');
    ctx.log(cell.id, `booting ${image.name} on ${cell.hypervisor.name}`);
    machine = await provider.boot(
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
        freshPerSuite: lives.length > 1,
        ...(image.os === 'linux' ? {} : { prepareFresh: (s: Shell) => prepareBeforeSave(image.os, s) }),
      },
      ctx.signal,
    );
    figures.bootToSshMs = machine.bootToSshMs;
    sh = machine.shell ?? await connectSsh(machine.ssh, { deadline: Date.now() + timeouts.connectMs * 3, connectTimeoutMs: timeouts.connectMs, commandTimeoutMs: timeouts.commandMs, signal: ctx.signal });
    record(null, 'pass', `${image.name} answered SSH ${(machine.bootToSshMs / 1000).toFixed(1)} s after the start of boot (${describeOffers(machine)})`, bootStart, machine.artifacts);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof NoImageError) {
      // The host lacks the image (a Hyper-V base VHDX not staged, say): not applicable here.
      record(null, 'skip', e.message, bootStart);
      all('skip', e.message);
      await machine?.stop().catch(() => {});
      return { ...figures, cellMs: Date.now() - cellStart };
    }
    const consoleArtifact: Artifact = { kind: 'console', path: relative(ctx.runDir, join(artifactsDir, 'console.log')) };
    if (e instanceof BootError) {
      record(null, 'fail', e.message, bootStart, [consoleArtifact]);
      all('skip', 'not run: the guest did not boot (see boot/ssh)');
    } else {
      record(null, 'error', `infrastructure: ${describe(e)}`, bootStart, [consoleArtifact]);
      all('error', 'not run: the harness or host failed while booting the guest (see boot/ssh)');
    }
    await machine?.stop().catch(() => {});
    return { ...figures, cellMs: Date.now() - cellStart };
  }

  // 3. The checks.
  const guest = await adapterFor(image.os);
  try {
    const artifacts: Artifact[] = [...machine.artifacts];
    const saveArtifact = async (kind: string, name: string, text: string) => {
      const path = join(artifactsDir, name);
      await writeFile(path, text);
      const rel = relative(ctx.runDir, path);
      artifacts.push({ kind, path: rel });
      return rel;
    };
    await saveArtifact('dmesg', 'dmesg.txt', await bootMessagesOnce({ guest, sh })).catch((e) => ctx.log(cell.id, `could not save boot messages: ${describe(e)}`));
    let checkCtx: CheckContext = { cell: cell.id, sh, guest, offers: machine.offers, hostKv: machine.hostKv, hostControl: machine.hostControl, saveArtifact };
    let broken: string | null = null;
    for (const [lifeIndex, life] of lives.entries()) {
      // A fresh guest for each suite after the first (snapshots per suite): see suite-lives.ts.
      const m: Machine = machine;
      const needsGuest = life.checks.some((c) => !unmetRequirement(c, image.os, m.offers, m.hostKv !== undefined));
      let lifeFailure: { state: 'fail' | 'error'; message: string } | null = null;
      if (lifeIndex > 0 && m.restoreFresh && needsGuest && !broken) {
        const restoreStart = Date.now();
        try {
          await sh.close().catch(() => {});
          sh = await m.restoreFresh({ coldBoot: life.coldBoot });
          checkCtx = { ...checkCtx, sh };
          await bootMessagesOnce({ guest, sh }).catch(() => {}); // the facts of this life, before its checks
          ctx.log(cell.id, `fresh guest for ${life.suite} in ${Date.now() - restoreStart} ms${life.coldBoot ? ' (cold boot)' : ''}`);
        } catch (e) {
          lifeFailure = e instanceof BootError
            ? { state: 'fail', message: `the guest of suite ${life.suite} did not come up on its cold reboot: ${e.message}` }
            : { state: 'error', message: `not run: no fresh guest for suite ${life.suite} (infrastructure: ${describe(e)})` };
        }
      }
    for (const check of life.checks) {
      const started = Date.now();
      if (broken) {
        record(check, 'error', `not run: ${broken}`, started);
        continue;
      }
      const why = unmetRequirement(check, image.os, machine.offers, machine.hostKv !== undefined);
      if (why) {
        record(check, 'skip', why, started);
        continue;
      }
      if (lifeFailure) {
        record(check, lifeFailure.state, lifeFailure.message, started);
        continue;
      }
      try {
        const verdict = await check.run(checkCtx);
        figures.checkMs.push(Date.now() - started);
        record(check, verdict.state, verdict.message, started, artifactsOf(artifacts));
      } catch (e) {
        record(check, 'error', `infrastructure: ${describe(e)}`, started, artifactsOf(artifacts));
        if (/connection (closed|lost)/i.test(describe(e))) broken = `the SSH connection to the guest was lost (${describe(e)})`;
      }
    }
    }
  } finally {
    if (!machine.discardsGuestOnStop) await guest.powerOff?.(sh);
    await sh.close().catch(() => {});
    await machine.stop().catch((e) => ctx.log(cell.id, `stop failed: ${describe(e)}`));
  }
  figures.cellMs = Date.now() - cellStart;
  return figures;
}

function artifactsOf(list: Artifact[]): Artifact[] {
  return list.filter((a) => a.kind === 'console' || a.kind === 'dmesg');
}

function describeOffers(m: Machine): string {
  const o = m.offers;
  return [o.family + (o.accel ? `/${o.accel}` : '') + (o.flavour ? `/${o.flavour}` : ''), `virtio: ${o.virtio.join(',') || 'none'}`, `interfaces: ${o.interfaces.join(',') || 'none'}`].join('; ');
}
