// A cache entry of the Debian-built images (linux-ref, xen-host): written with the size and
// SHA-256 of every file in a self-checked manifest, and checked in full before it is used. A
// damaged entry is a DamagedImageError naming the file: the harness's problem, never the
// guest's, and never booted.
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DamagedImageError } from '../../core/errors.ts';
import { checkImageFolder, MANIFEST_FILE, recordFiles, sealManifest, type FileRecord } from '../cache/file-checks.ts';
import { hostKeyProblem } from '../../transport/host-key.ts';

export const HOST_KEY_FILE = join('keys', 'host_ed25519.pub');

/** The key files both images carry (DebianInitramfs.makeKeys), as manifest records. */
export const KEY_FILES: Omit<FileRecord, 'sha256' | 'size'>[] = [
  { path: 'keys/client_ed25519', role: 'ssh-private-key' },
  { path: 'keys/client_ed25519.pub', role: 'ssh-public-key' },
  { path: HOST_KEY_FILE, role: 'ssh-host-key' },
];

/** Makes `files` read-only (nothing may write what a cell boots from) and writes
 *  `out`/manifest.json: `manifest` plus the size and SHA-256 of each, sealed. */
export async function writeSealedManifest(out: string, manifest: object, files: Omit<FileRecord, 'sha256' | 'size'>[]): Promise<void> {
  for (const f of files) await chmod(join(out, f.path), f.role === 'ssh-private-key' ? 0o400 : 0o444);
  await writeFile(join(out, MANIFEST_FILE), sealManifest({ ...manifest, files: await recordFiles(out, files) }));
}

/** The newest entry folder (by its manifest's time, else the folder's), or null when none. */
export async function newestEntry(cacheDir: string): Promise<{ dir: string; key: string } | null> {
  let best: { dir: string; key: string; t: number } | null = null;
  for (const e of await readdir(cacheDir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = join(cacheDir, e.name);
    const st = (await stat(join(dir, MANIFEST_FILE)).catch(() => null)) ?? (await stat(dir).catch(() => null));
    if (st && (!best || st.mtimeMs > best.t)) best = { dir, key: e.name, t: st.mtimeMs };
  }
  return best && { dir: best.dir, key: best.key };
}

const rebuild = (image: string) => `Fix: \`pvconform images build ${image}\` (it rebuilds a damaged image)`;

/** The entry's manifest once every file checks out and its pinned host key is a usable key
 *  line; otherwise DamagedImageError naming the first bad file. */
export async function checkedManifest<M>(image: string, dir: string): Promise<M & { hostKey: string }> {
  const { manifest, problems } = await checkImageFolder(dir);
  if (problems.length > 0 || !manifest) {
    const p = problems[0];
    throw new DamagedImageError(image, join(dir, p.file), `${p.problem}. ${rebuild(image)}`);
  }
  const keyPath = join(dir, HOST_KEY_FILE);
  const hostKey = (await readFile(keyPath, 'utf8').catch(() => '')).trim();
  const bad = hostKeyProblem(hostKey);
  if (bad) throw new DamagedImageError(image, keyPath, `the pinned host key is unusable: ${bad}. ${rebuild(image)}`);
  return { ...(manifest as M), hostKey };
}

/** Whether the entry is intact (for a build deciding whether its cached copy will do). */
export async function isIntact(dir: string): Promise<boolean> {
  const { manifest, problems } = await checkImageFolder(dir);
  return manifest !== null && problems.length === 0;
}
