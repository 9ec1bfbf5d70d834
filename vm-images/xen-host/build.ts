// Builds the nested Xen host: Debian's Xen hypervisor (a multiboot image QEMU boots with
// -kernel), the generic Debian kernel as dom0 and an initramfs holding the xl toolstack,
// xenstored, dropbear and busybox. Cached under a key made of the package versions and the
// recipe, built in a temp dir and moved into place only when complete. The steps it shares
// with the linux-ref image are in ../debian-initramfs.ts.
import { mkdtemp, mkdir, readFile, writeFile, readdir, rm, copyFile, chmod, symlink, cp } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../../harness/core/errors.ts';
import { DebianInitramfs, publish, readManifest, type ResolvedPackages } from '../../harness/images/recipes/debian-initramfs.ts';
import { isIntact, KEY_FILES, newestEntry, writeSealedManifest } from '../../harness/images/recipes/debian-cache-entry.ts';
import { imageCacheDir } from '../../harness/images/cache/entries.ts';
import { libraryClosure, libraryPaths } from './elf-closure.ts';
import * as recipe from './recipe.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..');
/** Where xen-host builds live: the one cache rule every command follows. */
export const xenHostCacheDir = (): string => imageCacheDir('xen-host');

export interface XenHostFiles {
  dir: string;
  key: string;
  /** The hypervisor, unpacked: a 32-bit ELF multiboot image QEMU's -kernel accepts. */
  xen: string;
  dom0Kernel: string;
  dom0Initrd: string;
  clientKey: string;
  hostKeyPub: string;
  xenVersion: string;
  kernelRelease: string;
}

export interface BuildOptions {
  cacheDir?: string;
  force?: boolean;
  log?: (msg: string) => void;
}

const debian = new DebianInitramfs({
  name: 'xen-host',
  kernelMetaPackage: recipe.KERNEL_META_PACKAGE,
  kernelPackage: /Depends:\s+(linux-image-\d\S*-amd64)/,
  keyComment: 'pvconform-xen-host',
  gzipLevel: 6,
});

/** The cache key of the image apt would build now. */
export async function currentKey(): Promise<ResolvedPackages> {
  const init = await readFile(join(here, 'init.sh'), 'utf8');
  return debian.resolve(recipe.PACKAGES, `recipe ${recipe.RECIPE_VERSION}\n${recipe.MODULES.join(',')}\n${recipe.PROGRAMS.join(',')}\n${init}\n`);
}

export function hostFiles(dir: string, key: string, manifest: { xenVersion: string; kernelRelease: string }): XenHostFiles {
  return {
    dir,
    key,
    xen: join(dir, 'xen'),
    dom0Kernel: join(dir, 'vmlinuz'),
    dom0Initrd: join(dir, 'dom0.cpio.gz'),
    clientKey: join(dir, 'keys', 'client_ed25519'),
    hostKeyPub: join(dir, 'keys', 'host_ed25519.pub'),
    xenVersion: manifest.xenVersion,
    kernelRelease: manifest.kernelRelease,
  };
}

/** The newest cached entry, without asking apt and without checking it: resolveXenHost
 *  (image.ts) checks every file before the host boots. */
export async function findCachedXenHost(cacheDir = xenHostCacheDir()): Promise<XenHostFiles | null> {
  const entry = await newestEntry(cacheDir);
  if (!entry) return null;
  const m = await readManifest<{ xenVersion?: unknown; kernelRelease?: unknown }>(entry.dir);
  const text = (v: unknown) => (typeof v === 'string' ? v : 'unknown');
  return hostFiles(entry.dir, entry.key, { xenVersion: text(m?.xenVersion), kernelRelease: text(m?.kernelRelease) });
}

export async function buildXenHost(opts: BuildOptions = {}): Promise<XenHostFiles> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir ?? xenHostCacheDir();
  const { key, packages, kernelPkg } = await currentKey();
  const dir = join(cacheDir, key);
  const cached = opts.force ? null : await readManifest<{ xenVersion: string; kernelRelease: string }>(dir);
  if (cached && (await isIntact(dir))) {
    log(`xen-host ${key} is cached in ${dir}`);
    return hostFiles(dir, key, cached);
  }
  if (cached) log(`xen-host ${key} in ${dir} is damaged or has no checksums: building it again`);
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'pvconform-xen-host-'));
  try {
    const { x, kernelRelease } = await debian.unpackPackages(work, packages, log);
    const xenVersion = packages.get(`xen-hypervisor-${recipe.XEN_VERSION}-amd64`)!;
    const root = join(work, 'root');
    log(`assembling dom0 (kernel ${kernelRelease}, Xen ${xenVersion})`);
    await assembleRoot(x, root, kernelRelease);

    const out = join(work, 'out');
    await mkdir(join(out, 'keys'), { recursive: true });
    await debian.makeKeys(x, root, join(out, 'keys'));
    await copyFile(join(x, 'boot', `vmlinuz-${kernelRelease}`), join(out, 'vmlinuz'));
    // QEMU's multiboot loader wants the ELF itself, not the gzip Debian ships.
    await pipeline(createReadStream(join(x, 'boot', `xen-${recipe.XEN_VERSION}-amd64.gz`)), createGunzip(), createWriteStream(join(out, 'xen')));
    log('packing the dom0 initramfs');
    await debian.packCpio(root, join(out, 'dom0.cpio.gz'));
    const manifest = {
      image: 'xen-host',
      key,
      recipeVersion: recipe.RECIPE_VERSION,
      kernelPackage: kernelPkg,
      kernelRelease,
      xenVersion,
      packages: Object.fromEntries([...packages].sort()),
      modules: recipe.MODULES,
      builtAt: new Date().toISOString(),
    };
    await writeSealedManifest(out, manifest, [
      { path: 'xen', role: 'hypervisor' },
      { path: 'vmlinuz', role: 'kernel' },
      { path: 'dom0.cpio.gz', role: 'initrd' },
      ...KEY_FILES,
    ]);
    await publish(out, dir, ['xen', 'vmlinuz', 'dom0.cpio.gz', 'manifest.json']);
    log(`xen-host ${key} built in ${dir}`);
    await pruneOthers(cacheDir, key, log);
    return hostFiles(dir, key, manifest);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Older builds (and their saved machine states, ~110 MB each) are never used again. */
async function pruneOthers(cacheDir: string, keep: string, log: (m: string) => void): Promise<void> {
  for (const key of await readdir(cacheDir).catch(() => [] as string[])) {
    if (key === keep) continue;
    try {
      const manifest = JSON.parse(await readFile(join(cacheDir, key, 'manifest.json'), 'utf8'));
      if (manifest.image !== 'xen-host') continue;
    } catch {
      continue; // not one of ours: leave it
    }
    await rm(join(cacheDir, key), { recursive: true, force: true });
    log(`removed the older xen-host build ${key}`);
  }
}

async function assembleRoot(x: string, root: string, kernelRelease: string): Promise<void> {
  const libDir = join(root, 'lib', 'x86_64-linux-gnu');
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc/dropbear', 'etc/pvconform', 'root/.ssh', 'proc', 'sys', 'dev', 'tmp', 'run', 'var/lib', 'var/log', 'lib64', 'lib/x86_64-linux-gnu'])
    await mkdir(join(root, d), { recursive: true });
  await debian.installBusybox(x, root);

  // The toolstack, dropbear, sftp-server and bash, with the libraries they load.
  const programs = recipe.PROGRAMS.map((p) => join(x, p));
  for (const p of recipe.PROGRAMS) {
    const dst = join(root, p);
    await mkdir(dirname(dst), { recursive: true });
    await rm(dst, { force: true }); // bash replaces busybox's applet link
    await copyFile(join(x, p), dst);
    await chmod(dst, 0o755);
  }
  for (const [soname, path] of await libraryClosure(x, programs)) await copyFile(path, join(libDir, soname));
  for (const soname of recipe.DLOPENED_LIBRARIES) {
    const [path] = (await libraryPaths(x, soname));
    if (!path) throw new InfraError(`no package of the recipe provides ${soname}. Fix: add its Debian package to vm-images/xen-host/recipe.ts`);
    await copyFile(path, join(libDir, soname));
  }
  await debian.installLoader(x, root);
  // dropbear runs commands with PATH /usr/sbin:/usr/bin:/sbin:/bin: put the toolstack there.
  const xenBin = `/usr/lib/xen-${recipe.XEN_VERSION}/bin`;
  for (const tool of ['xl', 'xenstored', 'xenconsoled', 'xen-init-dom0', 'xenconsole']) {
    await rm(join(root, 'usr', 'sbin', tool), { force: true });
    await symlink(`${xenBin}/${tool}`, join(root, 'usr', 'sbin', tool));
  }
  for (const tool of recipe.XENSTORE_TOOLS) {
    await rm(join(root, 'usr', 'bin', tool), { force: true });
    await symlink('xenstore', join(root, 'usr', 'bin', tool));
  }
  // Debian's dropbear looks for the SFTP server at /usr/lib/sftp-server.
  await symlink('openssh/sftp-server', join(root, 'usr', 'lib', 'sftp-server'));
  // Debian's configuration and hotplug scripts, as on any Debian dom0.
  await cp(join(x, 'etc', 'xen'), join(root, 'etc', 'xen'), { recursive: true });

  await debian.installModules(x, root, kernelRelease, recipe.MODULES);
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc', 'shells'), '/bin/sh\n/bin/bash\n');
  await writeFile(join(root, 'etc', 'hostname'), 'xen-host\n');
  await debian.installInit(root, join(here, 'init.sh'));
}
