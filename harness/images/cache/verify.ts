// Is a cached image still what was built? The manifest against its own checksum, every file's
// size and SHA-256 against the manifest (file-checks.ts), and qemu-img check on a qcow2 disk.
// A failing image is never booted: resolve refuses it and `images build` makes it again.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { check } from '../../qemu/qemu-img.ts';
import { describe } from '../../core/errors.ts';
import { checkImageFolder } from './file-checks.ts';
import type { CacheEntry } from './entries.ts';

export interface Verification {
  /** true: intact; false: damaged, unfinished, or without checksums to check it by. */
  ok: boolean;
  problems: string[];
  warnings: string[];
  /** The first damaged file, relative to the image folder (null when intact or unfinished). */
  damagedFile: string | null;
}

export async function verifyEntry(entry: CacheEntry): Promise<Verification> {
  const warnings: string[] = [];
  if (entry.partial) return { ok: false, problems: [entry.problem ?? 'unusable'], warnings, damagedFile: null };
  const { manifest, problems } = await checkImageFolder(entry.dir);
  const texts = problems.map((p) => `${p.file}: ${p.problem}`);
  for (const f of (manifest?.files ?? []) as { path: string }[]) {
    const st = await stat(join(entry.dir, f.path)).catch(() => null);
    if (st && st.mode & 0o222 && !problems.some((p) => p.file === f.path)) warnings.push(`${f.path} is writable; cached images are kept read-only (chmod a-w)`);
  }
  const m = entry.manifest;
  let damagedFile = problems[0]?.file ?? null;
  if (problems.length === 0 && m?.disk.format === 'qcow2') {
    try {
      const r = await check(join(entry.dir, m.disk.path));
      if (!r.clean) texts.push(`${m.disk.path}: qemu-img check: ${r.corruptions} corruption(s), ${r.leaks} leak(s)`);
    } catch (e) {
      texts.push(`${m.disk.path}: qemu-img check could not read it: ${describe(e)}`);
    }
    if (texts.length) damagedFile = m.disk.path;
  }
  return { ok: texts.length === 0, problems: texts, warnings, damagedFile };
}
