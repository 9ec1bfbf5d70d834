// Every cached image, whoever built it, records the size and SHA-256 of each of its files in
// its manifest, and the manifest records the SHA-256 of itself. Checking an image folder here
// catches a flipped byte in any of them (kernel, initramfs, disk, keys, the manifest).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { hashFile } from './media-store.ts';
import { hostKeyProblem } from '../../transport/host-key.ts';

export const MANIFEST_FILE = 'manifest.json';

export const FileRecord = z.object({
  /** Relative to the image folder. */
  path: z.string(),
  role: z.enum(['disk', 'kernel', 'initrd', 'hypervisor', 'ssh-private-key', 'ssh-public-key', 'ssh-host-key', 'log']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type FileRecord = z.infer<typeof FileRecord>;

/** One thing wrong with an image folder: which file, and what. */
export interface FileProblem {
  file: string;
  problem: string;
}

// The manifest's own checksum: SHA-256 of its text with this field's value set to zeros.
const SEAL_FIELD = 'manifestSha256';
const ZEROS = '0'.repeat(64);
const SEAL = new RegExp(`"${SEAL_FIELD}": "([0-9a-f]{64})"`);

/** The manifest as text, ending with the checksum of that text. */
export function sealManifest(manifest: object): string {
  const open = JSON.stringify({ ...manifest, [SEAL_FIELD]: ZEROS }, null, 2) + '\n';
  const sum = createHash('sha256').update(open).digest('hex');
  return open.replace(`"${SEAL_FIELD}": "${ZEROS}"`, `"${SEAL_FIELD}": "${sum}"`);
}

/** The manifest's data, or the reason it cannot be trusted. */
export function unsealManifest(text: string): { json: Record<string, unknown> } | { problem: string } {
  const m = SEAL.exec(text);
  if (!m) return { problem: `records no checksum of itself (${SEAL_FIELD}): damaged, or made by an older pvconform` };
  const sum = createHash('sha256').update(text.replace(m[0], `"${SEAL_FIELD}": "${ZEROS}"`)).digest('hex');
  if (sum !== m[1]) return { problem: `its sha256 is not the ${SEAL_FIELD} it records: the manifest was altered or damaged` };
  try {
    const json: unknown = JSON.parse(text);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return { problem: 'not a JSON object' };
    return { json: json as Record<string, unknown> };
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` };
  }
}

/** Size and SHA-256 of each file, for the manifest. */
export async function recordFiles(dir: string, files: Omit<FileRecord, 'sha256' | 'size'>[]): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for (const f of files) {
    const p = join(dir, f.path);
    out.push({ ...f, sha256: await hashFile(p, 'sha256'), size: (await stat(p)).size });
  }
  return out;
}

// Hashing reads every byte (linux-ref: 20 MB, ~100 ms here), so a file is hashed once per
// process and remembered while its inode, size, mtime and ctime are unchanged; any write,
// chmod or replacement changes ctime, so a file damaged after the first check is seen.
const hashed = new Map<string, string>();

async function sha256Once(path: string): Promise<string | null> {
  const st = await stat(path, { bigint: true }).catch(() => null);
  if (!st) return null;
  const stamp = `${path}|${st.dev}|${st.ino}|${st.size}|${st.mtimeNs}|${st.ctimeNs}`;
  const known = hashed.get(stamp);
  if (known) return known;
  const hex = await hashFile(path, 'sha256');
  hashed.set(stamp, hex);
  return hex;
}

/** Problems of the files against their records (none: intact). */
export async function checkFiles(dir: string, records: FileRecord[]): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  for (const f of records) {
    const p = join(dir, f.path);
    const st = await stat(p).catch(() => null);
    if (!st || !st.isFile()) problems.push({ file: f.path, problem: 'missing' });
    else if (st.size !== f.size) problems.push({ file: f.path, problem: `is ${st.size} bytes, the manifest says ${f.size}` });
    else {
      const hex = await sha256Once(p);
      if (hex !== f.sha256) problems.push({ file: f.path, problem: `sha256 is ${hex}, the manifest says ${f.sha256}` });
    }
  }
  return problems;
}

/** An image folder checked in full: the manifest against its own checksum, then every file it
 *  lists. `manifest` is null when the manifest itself is the problem. */
export async function checkImageFolder(dir: string): Promise<{ manifest: Record<string, unknown> | null; problems: FileProblem[] }> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (e) {
    return { manifest: null, problems: [{ file: MANIFEST_FILE, problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? e})` }] };
  }
  const opened = unsealManifest(text);
  if ('problem' in opened) return { manifest: null, problems: [{ file: MANIFEST_FILE, problem: opened.problem }] };
  const files = z.array(FileRecord).min(1).safeParse(opened.json.files);
  if (!files.success) return { manifest: null, problems: [{ file: MANIFEST_FILE, problem: 'records no usable checksums of the image files' }] };
  const problems = await checkFiles(dir, files.data);
  // A pinned key recorded empty or garbled at build time checks out byte for byte, and would
  // turn host-key checking off or fail every SSH attempt: it is damage all the same.
  for (const f of files.data.filter((r) => r.role === 'ssh-host-key' && !problems.some((p) => p.file === r.path))) {
    const bad = hostKeyProblem(await readFile(join(dir, f.path), 'utf8').catch(() => ''));
    if (bad) problems.push({ file: f.path, problem: `the pinned host key is unusable: ${bad}` });
  }
  return { manifest: opened.json, problems };
}
