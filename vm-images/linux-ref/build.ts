// Builds the Linux reference guest: a Debian cloud kernel plus an initramfs holding busybox,
// the virtio (and Xen front-end) modules and dropbear. Reproducible from Debian packages,
// cached under a key made of the package versions and the recipe, built in a temp dir and
// moved into place only when complete (no half-built image is ever found). The steps it shares
// with the xen-host image are in ../debian-initramfs.ts.
import { mkdtemp, mkdir, readFile, writeFile, readdir, rm, copyFile, chmod, symlink } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createBlank } from '../../harness/qemu/qemu-img.ts';
import { DebianInitramfs, publish, readManifest, type ResolvedPackages } from '../../harness/images/recipes/debian-initramfs.ts';
import { isIntact, KEY_FILES, newestEntry, writeSealedManifest } from '../../harness/images/recipes/debian-cache-entry.ts';
import { imageCacheDir } from '../../harness/images/cache/entries.ts';
import { KERNEL_META_PACKAGE, MODULES, RECIPE_VERSION, USERLAND_PACKAGES } from './recipe.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..');
/** Where linux-ref builds live: the one cache rule every command follows. */
export const linuxRefCacheDir = (): string => imageCacheDir('linux-ref');

export interface LinuxRefImageFiles {
  dir: string;
  kernel: string;
  initrd: string;
  clientKey: string;
  hostKeyPub: string;
  dataDisk: string;
  kernelRelease: string;
  key: string;
}

const debian = new DebianInitramfs({
  name: 'linux-ref',
  kernelMetaPackage: KERNEL_META_PACKAGE,
  kernelPackage: /Depends:\s+(linux-image-\S+-cloud-amd64)/,
  keyComment: 'pvconform-harness',
  gzipLevel: 9,
});

/** The cache key of the image apt would build now. */
export async function currentKey(): Promise<ResolvedPackages> {
  const init = await readFile(join(here, 'init.sh'), 'utf8');
  return debian.resolve(USERLAND_PACKAGES, `recipe ${RECIPE_VERSION}\n${MODULES.join(',')}\n${init}\n`);
}

export function imageFiles(dir: string, key: string, kernelRelease: string): LinuxRefImageFiles {
  return {
    dir,
    key,
    kernelRelease,
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initramfs.cpio.gz'),
    clientKey: join(dir, 'keys', 'client_ed25519'),
    hostKeyPub: join(dir, 'keys', 'host_ed25519.pub'),
    dataDisk: join(dir, 'data-disk.qcow2'),
  };
}

/** The newest cached entry (any key), without asking apt and without checking it: resolve
 *  (image.ts) checks every file before anything boots. */
export async function findCachedImage(cacheDir = linuxRefCacheDir()): Promise<LinuxRefImageFiles | null> {
  const entry = await newestEntry(cacheDir);
  if (!entry) return null;
  const manifest = await readManifest<{ kernelRelease?: unknown }>(entry.dir);
  return imageFiles(entry.dir, entry.key, typeof manifest?.kernelRelease === 'string' ? manifest.kernelRelease : 'unknown');
}

export interface BuildOptions {
  cacheDir?: string;
  force?: boolean;
  log?: (msg: string) => void;
}

export async function buildLinuxRef(opts: BuildOptions = {}): Promise<LinuxRefImageFiles> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir ?? linuxRefCacheDir();
  const { key, packages, kernelPkg } = await currentKey();
  const dir = join(cacheDir, key);
  const cached = opts.force ? null : await readManifest<{ kernelRelease: string }>(dir);
  if (cached && (await isIntact(dir))) {
    log(`linux-ref ${key} is cached in ${dir}`);
    return imageFiles(dir, key, cached.kernelRelease);
  }
  if (cached) log(`linux-ref ${key} in ${dir} is damaged or has no checksums: building it again`);
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'pvconform-linux-ref-'));
  try {
    const { x, kernelRelease } = await debian.unpackPackages(work, packages, log);
    const root = join(work, 'root');
    log(`assembling the root file system for kernel ${kernelRelease}`);
    await assembleRoot(x, root, kernelRelease);

    const out = join(work, 'out');
    await mkdir(join(out, 'keys'), { recursive: true });
    await debian.makeKeys(x, root, join(out, 'keys'));
    await copyFile(join(x, 'boot', `vmlinuz-${kernelRelease}`), join(out, 'vmlinuz'));
    // The base of every cell's virtio-blk and virtio-scsi data disk (each cell writes an overlay).
    await createBlank(join(out, 'data-disk.qcow2'), 64 * 1024 * 1024);
    log('packing the initramfs');
    await debian.packCpio(root, join(out, 'initramfs.cpio.gz'));
    const manifest = {
      image: 'linux-ref',
      key,
      recipeVersion: RECIPE_VERSION,
      kernelPackage: kernelPkg,
      kernelRelease,
      packages: Object.fromEntries([...packages].sort()),
      modules: MODULES,
      builtAt: new Date().toISOString(),
    };
    await writeSealedManifest(out, manifest, [
      { path: 'vmlinuz', role: 'kernel' },
      { path: 'initramfs.cpio.gz', role: 'initrd' },
      { path: 'data-disk.qcow2', role: 'disk' },
      ...KEY_FILES,
    ]);
    await publish(out, dir, ['vmlinuz', 'initramfs.cpio.gz', 'data-disk.qcow2', 'manifest.json']);
    log(`linux-ref ${key} built in ${dir}`);
    return imageFiles(dir, key, kernelRelease);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function assembleRoot(x: string, root: string, kernelRelease: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/lib/openssh', 'etc/dropbear', 'etc/pvconform', 'root/.ssh', 'proc', 'sys', 'dev', 'tmp', 'run', 'lib64', 'lib/x86_64-linux-gnu', 'var/log', 'mnt'])
    await mkdir(join(root, d), { recursive: true });
  await debian.installBusybox(x, root);
  // dropbear, sftp-server (for uploads) and their libraries
  await copyFile(join(x, 'usr', 'sbin', 'dropbear'), join(root, 'usr', 'sbin', 'dropbear'));
  await copyFile(join(x, 'usr', 'lib', 'openssh', 'sftp-server'), join(root, 'usr', 'lib', 'openssh', 'sftp-server'));
  await chmod(join(root, 'usr', 'sbin', 'dropbear'), 0o755);
  await chmod(join(root, 'usr', 'lib', 'openssh', 'sftp-server'), 0o755);
  // Debian's dropbear looks for the SFTP subsystem at /usr/lib/sftp-server.
  await symlink('/usr/lib/openssh/sftp-server', join(root, 'usr', 'lib', 'sftp-server'));
  for (const libdir of [join(x, 'lib', 'x86_64-linux-gnu'), join(x, 'usr', 'lib', 'x86_64-linux-gnu')]) {
    for (const f of await readdir(libdir).catch(() => [] as string[])) {
      if (!/\.so(\.\d+)*$/.test(f)) continue;
      await copyFile(join(libdir, f), join(root, 'lib', 'x86_64-linux-gnu', f)).catch(() => {});
    }
  }
  await debian.installLoader(x, root);

  await debian.installModules(x, root, kernelRelease, MODULES);
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\nwheel:x:10:root\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc', 'shells'), '/bin/sh\n');
  await writeFile(join(root, 'etc', 'hostname'), 'guest\n');
  await debian.installInit(root, join(here, 'init.sh'));
}
