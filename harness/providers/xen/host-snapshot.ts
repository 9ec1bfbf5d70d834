// A booted nested Xen host saved to a file (QMP migrate to `exec:cat > file`) and brought back
// (-incoming defer, migrate-incoming): dom0 with its toolstack up in ~2 s instead of a cold
// boot (lab.md §3). The file is kept next to the image, keyed by everything that must match.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { InfraError } from '../../core/errors.ts';
import type { Qmp } from '../../qemu/qmp.ts';
import type { XenHostImage } from '../../../vm-images/xen-host/image.ts';
import { machineArgs } from './nested-command-line.ts';

let qemuVersion: Promise<string> | null = null;

function qemuVersionLine(): Promise<string> {
  qemuVersion ??= execa('qemu-system-x86_64', ['--version'], { encoding: 'utf8' })
    .then((r) => r.stdout.split('\n')[0])
    .catch(() => 'unknown');
  return qemuVersion;
}

/** Where the saved state of this image on this QEMU with these machine options lives. */
export async function snapshotPath(image: XenHostImage): Promise<string> {
  const h = createHash('sha256').update(`${await qemuVersionLine()}\n${machineArgs(image).join('\n')}`).digest('hex').slice(0, 16);
  return join(image.files.dir, 'snapshots', `${h}.mig`);
}

export async function hasSnapshot(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

function quotedForExec(path: string): string {
  if (/['\n]/.test(path)) throw new InfraError(`cannot save machine state to ${path}: the path contains a quote or a newline`);
  return `'${path}'`;
}

async function pollMigration(qmp: Qmp, deadline: number, what: string): Promise<void> {
  for (;;) {
    const r = await qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
    if (r.status === 'completed') return;
    if (r.status === 'failed' || r.status === 'cancelled') throw new InfraError(`${what} ${r.status}: ${r['error-desc'] ?? 'no reason given'}`);
    if (Date.now() > deadline) throw new InfraError(`${what} did not finish in time (status ${r.status ?? 'none'})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Pauses the machine, writes its state to `path` (atomically), and lets it run on. */
export async function saveMachineState(qmp: Qmp, path: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(join(path, '..'), { recursive: true });
  const part = `${path}.part-${process.pid}`;
  try {
    await qmp.execute('stop');
    await qmp.execute('migrate', { uri: `exec:cat > ${quotedForExec(part)}` });
    await pollMigration(qmp, deadline, 'saving the Xen host state');
    const size = (await stat(part)).size;
    await rename(part, path);
    // States saved for another QEMU or other machine options are never restored again.
    const dir = join(path, '..');
    for (const f of await readdir(dir)) if (f.endsWith('.mig') && join(dir, f) !== path) await rm(join(dir, f), { force: true });
    return size;
  } finally {
    await rm(part, { force: true });
    // After a migration the source stays paused until told otherwise.
    await qmp.execute('cont').catch(() => {});
  }
}

/** Loads a machine started with `-incoming defer` from `path`, then resumes it. */
export async function loadMachineState(qmp: Qmp, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await qmp.execute('migrate-incoming', { uri: `exec:cat ${quotedForExec(path)}` });
  for (;;) {
    const s = await qmp.execute<{ status: string }>('query-status');
    if (s.status !== 'inmigrate') break;
    if (Date.now() > deadline) throw new InfraError(`loading the Xen host state from ${path} did not finish in time`);
    await new Promise((res) => setTimeout(res, 50));
  }
  // The source was paused when saved, so the copy arrives paused.
  await qmp.execute('cont');
}
