// The BSD images seen from the rest of pvconform: build one by name, or resolve a cached one
// into a GuestImage. A cached image is verified before it is handed out; a damaged one is
// refused (never booted) with the command that builds it again.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DamagedImageError, UsageError } from '../../core/errors.ts';
import { hostKeyProblem } from '../../transport/host-key.ts';
import { NoImageError, type GuestImage } from '../guest-image.ts';
import { defaultCacheDir, listEntries, type CacheEntry } from '../cache/entries.ts';
import { verifyEntry, type Verification } from '../cache/verify.ts';
import type { BsdBuildOptions, BuiltImage } from './bsd-build.ts';
import { recipeFor } from '../registry.ts';

export type { BsdBuildOptions, BuiltImage } from './bsd-build.ts';

/** The recipe version the name's registered recipe makes now; throws UsageError for a name no
 *  versioned recipe makes, or a malformed one. */
function recipeVersionFor(name: string): number {
  const recipe = recipeFor(name);
  if (!recipe || recipe.recipeVersion === undefined)
    throw new UsageError(`"${name}" is not a BSD image name. Fix: openbsd-<release> (e.g. openbsd-7.8) or netbsd-<release> (e.g. netbsd-10.1)`);
  recipe.checkName?.(name);
  return recipe.recipeVersion;
}

/** Builds `openbsd-<release>` or `netbsd-<release>` into the cache (or finds it built). */
export async function buildBsdImage(name: string, opts: BsdBuildOptions): Promise<BuiltImage> {
  recipeVersionFor(name);
  return (await recipeFor(name)!.build(name, opts)) as BuiltImage;
}

/** A cached image that exists but cannot be used; the message says why and how to fix it. */
export class UnusableImageError extends NoImageError {
  override name = 'UnusableImageError';
  constructor(image: string, why: string) {
    super(image, `pvconform images build ${image}`);
    this.message = `no usable image: ${why}. Fix: \`pvconform images build ${image}\``;
  }
}

// Verification reads every byte, so remember it per process while the files are unchanged.
const verified = new Map<string, Verification>();

async function verifyOnce(e: CacheEntry): Promise<Verification> {
  const stamps = await Promise.all((e.manifest?.files ?? []).map(async (f) => {
    const st = await stat(join(e.dir, f.path)).catch(() => null);
    return st ? `${f.path}:${st.size}:${st.mtimeMs}` : `${f.path}:missing`;
  }));
  const memo = `${e.dir}|${stamps.join('|')}`;
  const hit = verified.get(memo);
  if (hit) return hit;
  const v = await verifyEntry(e);
  verified.set(memo, v);
  return v;
}

export async function resolveBsdImage(name: string, opts: { cacheDir?: string } = {}): Promise<GuestImage> {
  const want = recipeVersionFor(name);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const all = (await listEntries(cacheDir, name)).filter((e) => e.manifest);
  if (all.length === 0) throw new NoImageError(name, `pvconform images build ${name}`);
  const current = all.filter((e) => e.manifest!.recipeVersion === want);
  if (current.length === 0)
    throw new UnusableImageError(name, `the cached ${name} was made by recipe v${all[0].manifest!.recipeVersion}, and this pvconform needs v${want}`);
  const e = current[0]; // newest first
  const v = await verifyOnce(e);
  const fix = `Fix: \`pvconform images build ${name}\` (it rebuilds a damaged image)`;
  if (!v.ok) throw new DamagedImageError(name, join(e.dir, v.damagedFile ?? ''), `${v.problems.join('; ')}. ${fix}`);
  const m = e.manifest!;
  const badKey = hostKeyProblem(m.ssh.hostKey);
  if (badKey) throw new DamagedImageError(name, join(e.dir, 'manifest.json'), `ssh.hostKey, the pinned host key, is unusable: ${badKey}. ${fix}`);
  return {
    name,
    os: m.os,
    release: m.release,
    boot: { kind: 'disk', disk: join(e.dir, m.disk.path), format: m.disk.format },
    ssh: { user: m.ssh.user, privateKeyPath: join(e.dir, m.ssh.privateKey), hostKey: m.ssh.hostKey },
    readyMarker: m.readyMarker,
    fallbackNic: m.fallbackNic,
  };
}
