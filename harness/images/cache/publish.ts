// A build works in <cache>/<name>/.partial-<key>-<pid>; only a finished, checked image is
// renamed to <cache>/<name>/<key>. A failed or interrupted build leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { removeOnCleanup } from '../../core/cleanup.ts';
import { hashFile } from './media-store.ts';
import { MANIFEST_FILE, writeManifest, type FileRecord, type ImageManifest } from './manifest.ts';
import { PARTIAL_PREFIX } from './entries.ts';

export interface PartialBuild {
  dir: string;
  /** Removes the folder (the build failed or was interrupted). Safe to call twice. */
  discard(): Promise<void>;
  /** Seals the files read-only, writes the manifest and moves the folder into place. */
  publish(manifest: Omit<ImageManifest, 'files'>, files: Omit<FileRecord, 'sha256' | 'size'>[]): Promise<string>;
}

export async function startPartialBuild(cacheDir: string, name: string, key: string): Promise<PartialBuild> {
  const parent = join(cacheDir, name);
  await mkdir(parent, { recursive: true });
  const dir = join(parent, `${PARTIAL_PREFIX}${key}-${process.pid}-${randomBytes(3).toString('hex')}`);
  await mkdir(dir);
  const unRemove = removeOnCleanup(dir);
  let done = false;
  const discard = async () => {
    if (done) return;
    done = true;
    await rm(dir, { recursive: true, force: true });
    unRemove();
  };
  const publish = async (manifest: Omit<ImageManifest, 'files'>, files: Omit<FileRecord, 'sha256' | 'size'>[]) => {
    const records: FileRecord[] = [];
    for (const f of files) {
      const p = join(dir, f.path);
      await chmod(p, f.role === 'ssh-private-key' ? 0o400 : 0o444);
      records.push({ ...f, sha256: await hashFile(p, 'sha256'), size: (await stat(p)).size });
    }
    await writeManifest(join(dir, MANIFEST_FILE), { ...manifest, files: records });
    const final = join(parent, key);
    await rm(final, { recursive: true, force: true }); // a damaged earlier build of the same inputs
    await rename(dir, final);
    done = true;
    unRemove();
    return final;
  };
  return { dir, discard, publish };
}
