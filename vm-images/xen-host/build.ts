// Builds the nested Xen host: Debian's Xen hypervisor (a multiboot image QEMU boots with
// -kernel), the generic Debian kernel as dom0 and an initramfs holding the xl toolstack,
// xenstored, dropbear and busybox. Cached under a key made of the package versions and the
// recipe, built in a temp dir and moved into place only when complete.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, writeFile, readdir, rename, rm, copyFile, chmod, symlink, cp } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { join, dirname, basename } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { InfraError } from '../../harness/core/errors.ts';
import { libraryClosure, libraryPaths } from './elf-closure.ts';
import * as recipe from './recipe.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..');
export const DEFAULT_CACHE = join(REPO_ROOT, '.cache', 'images', 'xen-host');

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

async function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  try {
    return await execa(cmd, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8' });
  } catch (e) {
    const err = e as { shortMessage?: string; stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new InfraError(`${cmd} not found (needed to build the xen-host image)`);
    throw new InfraError(`${cmd} ${args.slice(0, 4).join(' ')}... failed: ${err.shortMessage ?? e}\n${(err.stderr ?? '').slice(-800)}`);
  }
}

async function kernelPackage(): Promise<string> {
  const { stdout } = await run('apt-cache', ['depends', recipe.KERNEL_META_PACKAGE]);
  const m = /Depends:\s+(linux-image-\d\S*-amd64)/.exec(stdout);
  if (!m) throw new InfraError(`cannot resolve ${recipe.KERNEL_META_PACKAGE} to a kernel package (apt-cache depends said: ${stdout.trim().slice(0, 200)})`);
  return m[1];
}

async function candidateVersions(pkgs: string[]): Promise<Map<string, string>> {
  const { stdout } = await run('apt-cache', ['policy', ...pkgs]);
  const out = new Map<string, string>();
  let current = '';
  for (const line of stdout.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) current = head[1];
    const cand = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (cand && current) out.set(current, cand[1]);
  }
  for (const p of pkgs)
    if (!out.get(p) || out.get(p) === '(none)')
      throw new InfraError(`Debian package ${p} is not known to apt here. Fix: run \`apt-get update\` (the xen-host image is built from Debian packages only).`);
  return out;
}

/** The cache key of the image apt would build now. */
export async function currentKey(): Promise<{ key: string; packages: Map<string, string>; kernelPkg: string }> {
  const kernelPkg = await kernelPackage();
  const packages = await candidateVersions([kernelPkg, ...recipe.PACKAGES]);
  const init = await readFile(join(here, 'init.sh'), 'utf8');
  const h = createHash('sha256');
  h.update(`recipe ${recipe.RECIPE_VERSION}\n${recipe.MODULES.join(',')}\n${recipe.PROGRAMS.join(',')}\n${init}\n`);
  for (const [p, v] of [...packages].sort()) h.update(`${p}=${v}\n`);
  return { key: h.digest('hex').slice(0, 16), packages, kernelPkg };
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

/** The newest complete cached image, without asking apt. */
export async function findCachedXenHost(cacheDir = DEFAULT_CACHE): Promise<XenHostFiles | null> {
  let best: { files: XenHostFiles; builtAt: string } | null = null;
  for (const key of await readdir(cacheDir).catch(() => [] as string[])) {
    try {
      const manifest = JSON.parse(await readFile(join(cacheDir, key, 'manifest.json'), 'utf8'));
      if (!best || manifest.builtAt > best.builtAt) best = { files: hostFiles(join(cacheDir, key), key, manifest), builtAt: manifest.builtAt };
    } catch {
      /* incomplete or foreign entry */
    }
  }
  return best?.files ?? null;
}

export async function buildXenHost(opts: BuildOptions = {}): Promise<XenHostFiles> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir ?? DEFAULT_CACHE;
  const { key, packages, kernelPkg } = await currentKey();
  const dir = join(cacheDir, key);
  if (!opts.force) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      log(`xen-host ${key} is cached in ${dir}`);
      return hostFiles(dir, key, manifest);
    } catch {
      /* not cached yet */
    }
  }
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'pvconform-xen-host-'));
  try {
    const debs = join(work, 'debs');
    await mkdir(debs);
    log(`downloading ${packages.size} Debian packages`);
    await run('apt-get', ['download', ...[...packages].map(([p, v]) => `${p}=${v}`)], { cwd: debs });
    const x = join(work, 'x');
    for (const deb of await readdir(debs)) await run('dpkg-deb', ['-x', join(debs, deb), x]);

    const [kernelRelease] = await readdir(join(x, 'lib', 'modules'));
    const xenVersion = packages.get(`xen-hypervisor-${recipe.XEN_VERSION}-amd64`)!;
    const root = join(work, 'root');
    log(`assembling dom0 (kernel ${kernelRelease}, Xen ${xenVersion})`);
    await assembleRoot(x, root, kernelRelease);

    const out = join(work, 'out');
    await mkdir(join(out, 'keys'), { recursive: true });
    await makeKeys(x, root, join(out, 'keys'));
    await copyFile(join(x, 'boot', `vmlinuz-${kernelRelease}`), join(out, 'vmlinuz'));
    // QEMU's multiboot loader wants the ELF itself, not the gzip Debian ships.
    await pipeline(createReadStream(join(x, 'boot', `xen-${recipe.XEN_VERSION}-amd64.gz`)), createGunzip(), createWriteStream(join(out, 'xen')));
    log('packing the dom0 initramfs');
    await packCpio(root, join(out, 'dom0.cpio.gz'));
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
    await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    for (const f of ['xen', 'vmlinuz', 'dom0.cpio.gz', 'manifest.json']) await chmod(join(out, f), 0o444);
    await rm(dir, { recursive: true, force: true });
    await rename(out, dir);
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
  await copyFile(join(x, 'bin', 'busybox'), join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  const { stdout } = await run(join(root, 'bin', 'busybox'), ['--list-full']);
  for (const applet of stdout.split('\n').filter(Boolean)) {
    if (applet === 'bin/busybox') continue;
    const target = join(root, applet);
    await mkdir(dirname(target), { recursive: true });
    await symlink('/bin/busybox', target).catch(() => {});
  }

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
  await copyFile(join(x, 'lib64', 'ld-linux-x86-64.so.2'), join(root, 'lib64', 'ld-linux-x86-64.so.2')).catch(() =>
    copyFile(join(x, 'lib', 'x86_64-linux-gnu', 'ld-linux-x86-64.so.2'), join(root, 'lib64', 'ld-linux-x86-64.so.2')),
  );
  await chmod(join(root, 'lib64', 'ld-linux-x86-64.so.2'), 0o755);
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

  // Modules: the wanted ones and their dependency closure (each .ko's depends= field).
  const srcMods = join(x, 'lib', 'modules', kernelRelease);
  const index = await indexModules(join(srcMods, 'kernel'));
  const wanted = new Set<string>();
  const queue = recipe.MODULES.map(norm);
  while (queue.length) {
    const m = queue.shift()!;
    if (wanted.has(m)) continue;
    const path = index.get(m);
    if (!path) throw new InfraError(`kernel ${kernelRelease} has no module ${m}: the recipe and the kernel package disagree`);
    wanted.add(m);
    const deps = /depends=([^\0]*)/.exec((await readFile(path)).toString('latin1'))?.[1] ?? '';
    for (const d of deps.split(',').filter(Boolean)) queue.push(norm(d));
  }
  for (const m of wanted) {
    const src = index.get(m)!;
    const dst = join(root, 'lib', 'modules', kernelRelease, src.slice(srcMods.length + 1));
    await mkdir(dirname(dst), { recursive: true });
    await copyFile(src, dst);
  }
  for (const f of ['modules.order', 'modules.builtin', 'modules.builtin.modinfo'])
    await copyFile(join(srcMods, f), join(root, 'lib', 'modules', kernelRelease, f)).catch(() => {});
  await run(join(root, 'bin', 'busybox'), ['depmod', '-b', root, kernelRelease]);

  await writeFile(join(root, 'etc', 'pvconform', 'modules'), recipe.MODULES.join('\n') + '\n');
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc', 'shells'), '/bin/sh\n/bin/bash\n');
  await writeFile(join(root, 'etc', 'hostname'), 'xen-host\n');
  await copyFile(join(here, 'init.sh'), join(root, 'init'));
  await chmod(join(root, 'init'), 0o755);
  await chmod(join(root, 'root'), 0o700);
  await chmod(join(root, 'root', '.ssh'), 0o700);
}

function norm(name: string): string {
  return name.replace(/-/g, '_');
}

async function indexModules(dir: string, out = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await indexModules(p, out);
    else if (e.name.endsWith('.ko')) out.set(norm(basename(e.name, '.ko')), p);
  }
  return out;
}

async function makeKeys(x: string, root: string, keys: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pvconform-xen-host', '-f', join(keys, 'client_ed25519')]);
  const env = { LD_LIBRARY_PATH: join(root, 'lib', 'x86_64-linux-gnu') };
  const loader = join(root, 'lib64', 'ld-linux-x86-64.so.2');
  const hostKey = join(root, 'etc', 'dropbear', 'dropbear_ed25519_host_key');
  const dropbearkey = join(x, 'usr', 'bin', 'dropbearkey');
  await run(loader, [dropbearkey, '-t', 'ed25519', '-f', hostKey], { env });
  const { stdout } = await run(loader, [dropbearkey, '-y', '-f', hostKey], { env });
  const pub = stdout.split('\n').find((l) => l.startsWith('ssh-ed25519'));
  if (!pub) throw new InfraError('dropbearkey printed no ssh-ed25519 public key');
  await writeFile(join(keys, 'host_ed25519.pub'), pub.split(' ').slice(0, 2).join(' ') + '\n');
  await chmod(hostKey, 0o600);
  await copyFile(join(keys, 'client_ed25519.pub'), join(root, 'root', '.ssh', 'authorized_keys'));
  await chmod(join(root, 'root', '.ssh', 'authorized_keys'), 0o600);
}

async function packCpio(root: string, outFile: string): Promise<void> {
  // Fixed owners and times keep the archive stable for the same inputs.
  await run('sh', ['-c', `find . -exec touch -h -d @0 {} + && LC_ALL=C find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet | gzip -6 -n > '${outFile}'`], { cwd: root });
}
