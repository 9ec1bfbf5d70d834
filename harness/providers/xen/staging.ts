// Puts a guest image where dom0's toolstack can read it. Image files go once into a
// content-addressed cache on dom0 (shared by the cells of a run and by later runs on a real
// host); what a cell may write goes into the cell's own folder, copy-on-write where dom0 can.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InfraError, describe } from '../../core/errors.ts';
import type { GuestImage } from '../../images/guest-image.ts';
import type { Dom0 } from './dom0.ts';
import { sq } from './quote.ts';

/** Everything the harness makes on a dom0 lives under here. */
export const STATE_DIR = '/var/lib/pvconform';
export const IMAGE_CACHE = `${STATE_DIR}/images`;
export const CELLS_DIR = `${STATE_DIR}/cells`;

export type StagedBoot =
  | { kind: 'kernel'; kernel: string; ramdisk: string }
  | { kind: 'disk'; target: string; format: 'qcow2' | 'raw' };

const keys = new Map<string, string>();

/** sha256 of the file (first 16 hex digits), remembered per path, size and mtime. */
async function contentKey(path: string): Promise<{ key: string; size: number }> {
  const st = await stat(path);
  const memo = `${path}\n${st.size}\n${st.mtimeMs}`;
  let key = keys.get(memo);
  if (!key) {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    key = h.digest('hex').slice(0, 16);
    keys.set(memo, key);
  }
  return { key, size: st.size };
}

/** Moves one local file to a dom0 path: SFTP on any host, or a faster way the host allows. */
export type Transfer = (dom0: Dom0, localPath: string, remotePath: string) => Promise<void>;

export const sftpTransfer: Transfer = (dom0, localPath, remotePath) => dom0.sh.upload(localPath, remotePath);

/** Copies a local file into dom0's cache unless it is there already; returns the dom0 path. */
export async function stageFile(dom0: Dom0, localPath: string, log: (m: string) => void, transfer: Transfer = sftpTransfer): Promise<string> {
  const { key, size } = await contentKey(localPath);
  const dir = `${IMAGE_CACHE}/${key}`;
  const remote = `${dir}/${basename(localPath)}`;
  const present = await dom0.run(`[ "$(stat -c %s ${sq(remote)} 2>/dev/null)" = ${size} ]`, 10_000);
  if (present.code === 0) return remote;
  await dom0.must(`mkdir -p ${sq(dir)}`, 10_000, `mkdir ${dir}`);
  // Uploaded under a temporary name and renamed: a broken upload never looks like a cached file.
  const part = `${remote}.part-${randomBytes(4).toString('hex')}`;
  const started = Date.now();
  try {
    await transfer(dom0, localPath, part);
  } catch (e) {
    await dom0.run(`rm -f ${sq(part)}`, 10_000).catch(() => {});
    throw new InfraError(`${dom0.where}: staging ${localPath} failed: ${describe(e)}`);
  }
  await dom0.must(`mv -f ${sq(part)} ${sq(remote)} && chmod 444 ${sq(remote)}`, 10_000, `moving ${remote} into place`);
  const secs = (Date.now() - started) / 1000;
  log(`staged ${basename(localPath)} (${(size / 1e6).toFixed(1)} MB) on dom0 in ${secs.toFixed(1)} s`);
  return remote;
}

/** Stages the image for one cell; `cellDir` already exists on dom0. */
export async function stageImage(dom0: Dom0, image: GuestImage, cellDir: string, log: (m: string) => void, transfer: Transfer = sftpTransfer): Promise<StagedBoot> {
  if (image.boot.kind === 'kernel') {
    // A kernel and an initramfs are only read: the cached copies serve every cell.
    const kernel = await stageFile(dom0, image.boot.kernel, log, transfer);
    const ramdisk = await stageFile(dom0, image.boot.initrd, log, transfer);
    return { kind: 'kernel', kernel, ramdisk };
  }
  const base = await stageFile(dom0, image.boot.disk, log, transfer);
  const hasQemuImg = (await dom0.run('command -v qemu-img >/dev/null', 10_000)).code === 0;
  if (hasQemuImg) {
    const overlay = `${cellDir}/disk.qcow2`;
    await dom0.must(`qemu-img create -q -f qcow2 -b ${sq(base)} -F ${image.boot.format} ${sq(overlay)}`, 30_000, 'creating the disk overlay');
    return { kind: 'disk', target: overlay, format: 'qcow2' };
  }
  // No qemu-img: a full copy (a reflink where the file system allows it).
  const copy = `${cellDir}/disk.${image.boot.format}`;
  await dom0.must(`cp --reflink=auto ${sq(base)} ${sq(copy)} 2>/dev/null || cp ${sq(base)} ${sq(copy)}`, 300_000, 'copying the disk image');
  return { kind: 'disk', target: copy, format: image.boot.format };
}
