// What the OpenBSD and NetBSD recipes share: options, reuse of an intact cached build, where
// build logs go, how QEMU is run for a build, and waiting for a guest to power off.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../core/errors.ts';
import { listEntries } from '../cache/entries.ts';
import type { ImageManifest } from '../cache/manifest.ts';
import { verifyEntry } from '../cache/verify.ts';
import type { BuildVm } from './build-vm.ts';

export interface BsdBuildOptions {
  /** Folder holding the project's releases; each recipe has its default. */
  mirror?: string;
  /** Root of the image cache (images go to <cacheDir>/<name>/<key>/). */
  cacheDir: string;
  log(message: string): void;
  signal?: AbortSignal;
  /** Build again even when an intact image from the same media is cached. */
  force?: boolean;
}

export interface BuiltImage {
  name: string;
  dir: string;
  manifest: ImageManifest;
  /** True when an intact image with the same inputs was already cached. */
  reused: boolean;
}

/** The cached image for exactly these inputs, if intact; a damaged one is removed (it will be
 *  rebuilt, never booted). */
export async function reuseIfIntact(cacheDir: string, name: string, key: string, log: (m: string) => void): Promise<BuiltImage | null> {
  const entry = (await listEntries(cacheDir, name)).find((e) => e.key === key);
  if (!entry) return null;
  const v = await verifyEntry(entry);
  if (v.ok && entry.manifest) {
    log(`${name}: an intact image built from the same media is cached (${entry.dir}); nothing to do`);
    return { name, dir: entry.dir, manifest: entry.manifest, reused: true };
  }
  log(`${name}: the cached image ${entry.dir} is damaged (${v.problems[0] ?? entry.problem}); building it again`);
  return null;
}

/** Build logs live outside the image folder so a failed build still leaves them to read. */
export async function buildLogDir(cacheDir: string, name: string): Promise<string> {
  const dir = join(cacheDir, 'logs', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Builds run under TCG unless PVCONFORM_BUILD_ACCEL=kvm: a KVM that opens but crawls (this
 *  project's own CI host) would otherwise stall an install for hours. */
export function buildAccel(): string[] {
  return ['-accel', process.env.PVCONFORM_BUILD_ACCEL === 'kvm' ? 'kvm' : 'tcg'];
}

/** Timeouts below are for TCG; $PVCONFORM_BUILD_TIMEOUT_SCALE stretches them for slow hosts. */
export function buildTimeout(ms: number): number {
  const f = Number(process.env.PVCONFORM_BUILD_TIMEOUT_SCALE ?? '1');
  return ms * (Number.isFinite(f) && f > 0 ? f : 1);
}

/** Waits for QEMU to exit after the guest was told to power off. */
export async function waitPowerOff(vm: BuildVm, what: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const r = await Promise.race([vm.exited, timedOut]);
  clearTimeout(timer);
  if (r === 'timeout') throw new InfraError(`${what}: the guest did not power off within ${timeoutMs / 1000} s`);
}
