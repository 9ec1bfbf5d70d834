// The steps the Debian-built images (linux-ref/ and xen-host/) share. Both are a Debian kernel
// plus a gzip'd cpio initramfs assembled from Debian packages only: versions from apt, the
// .debs unpacked side by side, busybox, the wanted kernel modules with their dependencies,
// dropbear with a pinned host key, packed reproducibly and published only when complete.
// What goes into each root file system stays in the image's own build.ts; the few ways the
// two differ in these shared steps are the fields of DebianImage, so neither build changes.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile, readdir, rename, rm, copyFile, chmod, symlink } from 'node:fs/promises';
import { join, dirname, basename } from 'node:path';
import { execa } from 'execa';
import { InfraError } from '../../core/errors.ts';

export interface DebianImage {
  /** The image's name (`linux-ref`, `xen-host`), as log lines and error messages say it. */
  name: string;
  /** The meta package apt resolves to the kernel to build with. */
  kernelMetaPackage: string;
  /** Picks that kernel package (group 1) out of `apt-cache depends <kernelMetaPackage>`:
   *  the flavours differ (cloud for the guest, generic for dom0). */
  kernelPackage: RegExp;
  /** The comment of the harness's client key, which tells the keys of the images apart. */
  keyComment: string;
  /** gzip level of the initramfs. Part of what makes the bytes, so each image keeps its own. */
  gzipLevel: number;
}

export interface ResolvedPackages {
  /** The cache key: a hash of the recipe and of every package version. */
  key: string;
  /** Package name -> the version apt would fetch now (the kernel package among them). */
  packages: Map<string, string>;
  kernelPkg: string;
}

export class DebianInitramfs {
  constructor(readonly image: DebianImage) {}

  /** Runs a build tool; any failure is the host's (missing tool, apt, disk), so an InfraError. */
  async run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {}) {
    try {
      return await execa(cmd, args, { cwd: opts.cwd, env: opts.env, input: opts.input, encoding: 'utf8' });
    } catch (e) {
      const err = e as { shortMessage?: string; stderr?: string; code?: string };
      if (err.code === 'ENOENT') throw new InfraError(`${cmd} not found (needed to build the ${this.image.name} image)`);
      throw new InfraError(`${cmd} ${args.slice(0, 4).join(' ')}... failed: ${err.shortMessage ?? e}\n${(err.stderr ?? '').slice(-800)}`);
    }
  }

  /** What apt would build now, and its cache key. `recipe` is everything else that goes into
   *  the image (recipe version, module list, /init...): the key hashes it, then each
   *  `package=version` line in name order, so a new Debian point release makes a new image. */
  async resolve(userland: string[], recipe: string): Promise<ResolvedPackages> {
    const kernelPkg = await this.kernelPackage();
    const packages = await this.candidateVersions([kernelPkg, ...userland]);
    const h = createHash('sha256');
    h.update(recipe);
    for (const [p, v] of [...packages].sort()) h.update(`${p}=${v}\n`);
    return { key: h.digest('hex').slice(0, 16), packages, kernelPkg };
  }

  /** The versioned kernel package the meta package depends on now. */
  async kernelPackage(): Promise<string> {
    const meta = this.image.kernelMetaPackage;
    const { stdout } = await this.run('apt-cache', ['depends', meta]);
    const m = this.image.kernelPackage.exec(stdout);
    if (!m) throw new InfraError(`cannot resolve ${meta} to a kernel package (apt-cache depends said: ${stdout.trim().slice(0, 200)})`);
    return m[1];
  }

  /** Package name -> the version apt would fetch now. */
  async candidateVersions(pkgs: string[]): Promise<Map<string, string>> {
    const { stdout } = await this.run('apt-cache', ['policy', ...pkgs]);
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
        throw new InfraError(`Debian package ${p} is not known to apt here. Fix: run \`apt-get update\` (the ${this.image.name} image is built from Debian packages only).`);
    return out;
  }

  /** Downloads exactly the resolved versions and unpacks them all into one tree, `work`/x,
   *  the way dpkg would lay them out. The kernel release is the one folder of lib/modules. */
  async unpackPackages(work: string, packages: Map<string, string>, log: (msg: string) => void): Promise<{ x: string; kernelRelease: string }> {
    const debs = join(work, 'debs');
    await mkdir(debs);
    log(`downloading ${packages.size} Debian packages`);
    await this.run('apt-get', ['download', ...[...packages].map(([p, v]) => `${p}=${v}`)], { cwd: debs });
    const x = join(work, 'x');
    for (const deb of await readdir(debs)) await this.run('dpkg-deb', ['-x', join(debs, deb), x]);
    const [kernelRelease] = await readdir(join(x, 'lib', 'modules'));
    return { x, kernelRelease };
  }

  /** busybox-static as /bin/busybox, with a link for every applet it has (the image's shell
   *  and tools). An existing file wins over an applet link. */
  async installBusybox(x: string, root: string): Promise<void> {
    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile(join(x, 'bin', 'busybox'), join(root, 'bin', 'busybox'));
    await chmod(join(root, 'bin', 'busybox'), 0o755);
    const { stdout } = await this.run(join(root, 'bin', 'busybox'), ['--list-full']);
    for (const applet of stdout.split('\n').filter(Boolean)) {
      if (applet === 'bin/busybox') continue;
      const target = join(root, applet);
      await mkdir(dirname(target), { recursive: true });
      await symlink('/bin/busybox', target).catch(() => {});
    }
  }

  /** The dynamic loader, at the path the ELF interpreter field names (glibc ships it in either place). */
  async installLoader(x: string, root: string): Promise<void> {
    const loader = join(root, 'lib64', 'ld-linux-x86-64.so.2');
    await mkdir(dirname(loader), { recursive: true });
    await copyFile(join(x, 'lib64', 'ld-linux-x86-64.so.2'), loader).catch(() => copyFile(join(x, 'lib', 'x86_64-linux-gnu', 'ld-linux-x86-64.so.2'), loader));
    await chmod(loader, 0o755);
  }

  /** The wanted modules and their dependency closure, read from each .ko's depends= field (no
   *  modprobe in the image: /init loads them in order), the kernel's module lists, a depmod
   *  index, and /etc/pvconform/modules, the order /init loads them in. */
  async installModules(x: string, root: string, kernelRelease: string, modules: string[]): Promise<void> {
    const srcMods = join(x, 'lib', 'modules', kernelRelease);
    const index = await indexModules(join(srcMods, 'kernel'));
    const wanted = new Set<string>();
    const queue = modules.map(norm);
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
    await this.run(join(root, 'bin', 'busybox'), ['depmod', '-b', root, kernelRelease]);
    await mkdir(join(root, 'etc', 'pvconform'), { recursive: true });
    await writeFile(join(root, 'etc', 'pvconform', 'modules'), modules.join('\n') + '\n');
  }

  /** `initScript` as /init; root's home and ~/.ssh private, as dropbear wants them for
   *  authorized_keys. */
  async installInit(root: string, initScript: string): Promise<void> {
    await copyFile(initScript, join(root, 'init'));
    await chmod(join(root, 'init'), 0o755);
    await chmod(join(root, 'root'), 0o700);
    await chmod(join(root, 'root', '.ssh'), 0o700);
  }

  /** The client key is made per cache entry; the host key at build time, then pinned (the
   *  harness checks it). dropbearkey runs from the assembled root, through its loader and
   *  libraries, so call this once they are in place. */
  async makeKeys(x: string, root: string, keys: string): Promise<void> {
    await this.run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', this.image.keyComment, '-f', join(keys, 'client_ed25519')]);
    const env = { LD_LIBRARY_PATH: join(root, 'lib', 'x86_64-linux-gnu') };
    const loader = join(root, 'lib64', 'ld-linux-x86-64.so.2');
    const hostKey = join(root, 'etc', 'dropbear', 'dropbear_ed25519_host_key');
    const dropbearkey = join(x, 'usr', 'bin', 'dropbearkey');
    await this.run(loader, [dropbearkey, '-t', 'ed25519', '-f', hostKey], { env });
    const { stdout } = await this.run(loader, [dropbearkey, '-y', '-f', hostKey], { env });
    const pub = stdout.split('\n').find((l) => l.startsWith('ssh-ed25519'));
    if (!pub) throw new InfraError('dropbearkey printed no ssh-ed25519 public key');
    await writeFile(join(keys, 'host_ed25519.pub'), pub.split(' ').slice(0, 2).join(' ') + '\n');
    await chmod(hostKey, 0o600);
    await copyFile(join(keys, 'client_ed25519.pub'), join(root, 'root', '.ssh', 'authorized_keys'));
    await chmod(join(root, 'root', '.ssh', 'authorized_keys'), 0o600);
  }

  /** Packs `root` as a gzip'd newc cpio. Sorted names, fixed owners, times of 0 and no gzip
   *  name or time keep the archive stable for the same inputs (the keys still differ per build). */
  async packCpio(root: string, outFile: string): Promise<void> {
    await this.run('sh', ['-c', `find . -exec touch -h -d @0 {} + && LC_ALL=C find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet | gzip -${this.image.gzipLevel} -n > '${outFile}'`], { cwd: root });
  }
}

/** The manifest of a cache entry, or null when there is none (not built, or not finished). */
export async function readManifest<M>(dir: string): Promise<M | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as M;
  } catch {
    return null;
  }
}

/** Makes `readOnly` (names in `out`) read-only, since nothing may write the image a cell boots
 *  from, then moves `out` to `dir` in one rename, so no half-built image is ever found there. */
export async function publish(out: string, dir: string, readOnly: string[]): Promise<void> {
  for (const f of readOnly) await chmod(join(out, f), 0o444);
  await rm(dir, { recursive: true, force: true });
  await rename(out, dir);
}

/** modprobe's spelling: `-` and `_` are the same in module names. */
function norm(name: string): string {
  return name.replace(/-/g, '_');
}

/** Normalised module name -> its .ko below `dir`. */
async function indexModules(dir: string, out = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await indexModules(p, out);
    else if (e.name.endsWith('.ko')) out.set(norm(basename(e.name, '.ko')), p);
  }
  return out;
}
