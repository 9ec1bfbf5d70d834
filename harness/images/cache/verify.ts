// Is a cached image still what was built? Every file's size and SHA-256 against the manifest,
// and qemu-img check on the disk. A failing image is never booted: resolve refuses it and
// `images build` makes it again.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { check } from '../../qemu/qemu-img.ts';
import { describe } from '../../core/errors.ts';
import { hashFile } from './media-store.ts';
import type { CacheEntry } from './entries.ts';

export interface Verification {
  /** true: intact; false: damaged or unfinished; null: cannot tell (no checksums recorded). */
  ok: boolean | null;
  problems: string[];
  warnings: string[];
}

export async function verifyEntry(entry: CacheEntry): Promise<Verification> {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (entry.partial || (entry.problem && !entry.foreign)) return { ok: false, problems: [entry.problem ?? 'unusable'], warnings };
  const m = entry.manifest;
  if (!m) return { ok: null, problems: [], warnings: ['its manifest records no checksums (made by another builder), so it cannot be verified here'] };
  for (const f of m.files) {
    const p = join(entry.dir, f.path);
    const st = await stat(p).catch(() => null);
    if (!st) {
      problems.push(`${f.path} is missing`);
      continue;
    }
    if (st.size !== f.size) {
      problems.push(`${f.path} is ${st.size} bytes, the manifest says ${f.size}`);
      continue;
    }
    if (st.mode & 0o222) warnings.push(`${f.path} is writable; cached images are kept read-only (chmod a-w)`);
    const hex = await hashFile(p, 'sha256');
    if (hex !== f.sha256) problems.push(`${f.path} sha256 is ${hex}, the manifest says ${f.sha256}`);
  }
  if (m.disk.format === 'qcow2' && !problems.some((p) => p.startsWith(m.disk.path))) {
    try {
      const r = await check(join(entry.dir, m.disk.path));
      if (!r.clean) problems.push(`qemu-img check: ${r.corruptions} corruption(s), ${r.leaks} leak(s) in ${m.disk.path}`);
    } catch (e) {
      problems.push(`qemu-img check could not read ${m.disk.path}: ${describe(e)}`);
    }
  }
  return { ok: problems.length === 0, problems, warnings };
}
