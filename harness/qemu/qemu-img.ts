// The four qemu-img verbs pvconform needs, typed. (npm's node-qemu covers more, but is young
// with one publisher; see README.)
import { execa } from 'execa';
import { InfraError } from '../core/errors.ts';

export interface ImageInfo {
  filename: string;
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  'backing-filename'?: string;
  'backing-filename-format'?: string;
  'dirty-flag'?: boolean;
}

export interface CheckReport {
  /** True when qemu-img check found no corruption and no leaks. */
  clean: boolean;
  corruptions: number;
  leaks: number;
  raw: unknown;
}

async function qemuImg(args: string[]): Promise<string> {
  try {
    const r = await execa('qemu-img', args, { encoding: 'utf8', timeout: 120_000 });
    return r.stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; shortMessage?: string; exitCode?: number };
    if (err.code === 'ENOENT') throw new InfraError('qemu-img not found. Fix: apt-get install qemu-utils');
    throw Object.assign(new InfraError(`qemu-img ${args[0]} failed: ${(err.stderr || err.shortMessage || '').trim()}`), { exitCode: err.exitCode });
  }
}

/** A copy-on-write overlay: writes go to `overlay`, `base` is only read. */
export async function createOverlay(base: string, baseFormat: 'qcow2' | 'raw', overlay: string): Promise<void> {
  await qemuImg(['create', '-q', '-f', 'qcow2', '-b', base, '-F', baseFormat, overlay]);
}

export async function createBlank(path: string, sizeBytes: number): Promise<void> {
  await qemuImg(['create', '-q', '-f', 'qcow2', path, String(sizeBytes)]);
}

export async function info(path: string): Promise<ImageInfo> {
  return JSON.parse(await qemuImg(['info', '--output=json', '-U', path])) as ImageInfo;
}

export async function convert(src: string, srcFormat: string, dst: string, dstFormat: 'qcow2' | 'raw'): Promise<void> {
  await qemuImg(['convert', '-q', '-f', srcFormat, '-O', dstFormat, src, dst]);
}

/** qemu-img check exits 2 on corruption and 3 on leaks, still printing JSON. */
export async function check(path: string): Promise<CheckReport> {
  let out: string;
  try {
    out = await qemuImg(['check', '--output=json', '-U', path]);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (code === 2 || code === 3) return { clean: false, corruptions: code === 2 ? 1 : 0, leaks: code === 3 ? 1 : 0, raw: null };
    throw e;
  }
  const raw = JSON.parse(out) as { corruptions?: number; leaks?: number };
  return { clean: !raw.corruptions && !raw.leaks, corruptions: raw.corruptions ?? 0, leaks: raw.leaks ?? 0, raw };
}
