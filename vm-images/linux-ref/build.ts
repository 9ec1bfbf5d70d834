// Builds the Linux reference guest: a Debian cloud kernel plus an initramfs holding busybox,
// the virtio (and Xen front-end) modules and dropbear. Reproducible from Debian packages,
// cached under a key made of the package versions and the recipe, built in a temp dir and
// moved into place only when complete (no half-built image is ever found).
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, writeFile, readdir, rename, rm, copyFile, chmod, symlink, stat, access } from 'node:fs/promises';
import { join, dirname, basename } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { InfraError } from '../../harness/core/errors.ts';
import { createBlank } from '../../harness/providers/qemu/qemu-img.ts';
import { KERNEL_META_PACKAGE, MODULES, RECIPE_VERSION, USERLAND_PACKAGES } from './recipe.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..');
export const DEFAULT_CACHE = join(REPO_ROOT, '.cache', 'images', 'linux-ref');

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

/** Package name -> the version apt would fetch now. */
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
      throw new InfraError(`Debian package ${p} is not known to apt here. Fix: run \`apt-get update\` (the image is built from Debian packages only).`);
  return out;
}

async function kernelPackage(): Promise<string> {
  const { stdout } = await run('apt-cache', ['depends', KERNEL_META_PACKAGE]);
  const m = /Depends:\s+(linux-image-\S+-cloud-amd64)/.exec(stdout);
  if (!m) throw new InfraError(`cannot resolve ${KERNEL_META_PACKAGE} to a kernel package (apt-cache depends said: ${stdout.trim().slice(0, 200)})`);
  return m[1];
}

async function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {}) {
  try {
    return await execa(cmd, args, { cwd: opts.cwd, env: opts.env, input: opts.input, encoding: 'utf8' });
  } catch (e) {
    const err = e as { shortMessage?: string; stderr?: string };
    throw new InfraError(`${cmd} ${args.slice(0, 4).join(' ')}... failed: ${err.shortMessage ?? e}\n${(err.stderr ?? '').slice(-800)}`);
  }
}

/** The cache key of the image apt would build now. */
export async function currentKey(): Promise<{ key: string; packages: Map<string, string>; kernelPkg: string }> {
  const kernelPkg = await kernelPackage();
  const packages = await candidateVersions([kernelPkg, ...USERLAND_PACKAGES]);
  const init = await readFile(join(here, 'init.sh'), 'utf8');
  const h = createHash('sha256');
  h.update(`recipe ${RECIPE_VERSION}\n${MODULES.join(',')}\n${init}\n`);
  for (const [p, v] of [...packages].sort()) h.update(`${p}=${v}\n`);
  return { key: h.digest('hex').slice(0, 16), packages, kernelPkg };
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

/** Finds a complete cached image (any key: the newest) without asking apt. */
export async function findCachedImage(cacheDir = DEFAULT_CACHE): Promise<LinuxRefImageFiles | null> {
  let entries: string[];
  try {
    entries = await readdir(cacheDir);
  } catch {
    return null;
  }
  let best: { files: LinuxRefImageFiles; mtime: number } | null = null;
  for (const key of entries) {
    const dir = join(cacheDir, key);
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { kernelRelease: string; builtAt: string };
      const files = imageFiles(dir, key, manifest.kernelRelease);
      await Promise.all([files.kernel, files.initrd, files.clientKey, files.hostKeyPub, files.dataDisk].map((f) => access(f)));
      const mtime = (await stat(join(dir, 'manifest.json'))).mtimeMs;
      if (!best || mtime > best.mtime) best = { files, mtime };
    } catch {
      /* incomplete or foreign entry: not an image */
    }
  }
  return best?.files ?? null;
}

export interface BuildOptions {
  cacheDir?: string;
  force?: boolean;
  log?: (msg: string) => void;
}

export async function buildLinuxRef(opts: BuildOptions = {}): Promise<LinuxRefImageFiles> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir ?? DEFAULT_CACHE;
  const { key, packages, kernelPkg } = await currentKey();
  const dir = join(cacheDir, key);
  if (!opts.force) {
    try {
      const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      log(`linux-ref ${key} is cached in ${dir}`);
      return imageFiles(dir, key, m.kernelRelease);
    } catch {
      /* not cached yet */
    }
  }
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'pvconform-linux-ref-'));
  try {
    const debs = join(work, 'debs');
    await mkdir(debs);
    log(`downloading ${packages.size} Debian packages`);
    await run('apt-get', ['download', ...[...packages].map(([p, v]) => `${p}=${v}`)], { cwd: debs });
    const x = join(work, 'x');
    for (const deb of await readdir(debs)) await run('dpkg-deb', ['-x', join(debs, deb), x]);

    const modRoot = join(x, 'lib', 'modules');
    const [kernelRelease] = await readdir(modRoot);
    const root = join(work, 'root');
    log(`assembling the root file system for kernel ${kernelRelease}`);
    await assembleRoot(x, root, kernelRelease);

    const out = join(work, 'out');
    await mkdir(join(out, 'keys'), { recursive: true });
    await makeKeys(x, root, join(out, 'keys'));
    await copyFile(join(x, 'boot', `vmlinuz-${kernelRelease}`), join(out, 'vmlinuz'));
    // The base of every cell's virtio-blk and virtio-scsi data disk (each cell writes an overlay).
    await createBlank(join(out, 'data-disk.qcow2'), 64 * 1024 * 1024);
    log('packing the initramfs');
    await packCpio(root, join(out, 'initramfs.cpio.gz'));
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
    await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    // Base files are read-only: nothing may write the image a cell boots from.
    for (const f of ['vmlinuz', 'initramfs.cpio.gz', 'data-disk.qcow2', 'manifest.json']) await chmod(join(out, f), 0o444);
    await rm(dir, { recursive: true, force: true });
    await rename(out, dir);
    log(`linux-ref ${key} built in ${dir}`);
    return imageFiles(dir, key, kernelRelease);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function assembleRoot(x: string, root: string, kernelRelease: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/lib/openssh', 'etc/dropbear', 'etc/pvconform', 'root/.ssh', 'proc', 'sys', 'dev', 'tmp', 'run', 'lib64', 'lib/x86_64-linux-gnu', 'var/log', 'mnt'])
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
  await copyFile(join(x, 'lib64', 'ld-linux-x86-64.so.2'), join(root, 'lib64', 'ld-linux-x86-64.so.2')).catch(async () => {
    await copyFile(join(x, 'lib', 'x86_64-linux-gnu', 'ld-linux-x86-64.so.2'), join(root, 'lib64', 'ld-linux-x86-64.so.2'));
  });
  await chmod(join(root, 'lib64', 'ld-linux-x86-64.so.2'), 0o755);

  // Modules: the wanted ones and their dependency closure, read from each .ko's depends= field.
  const srcMods = join(x, 'lib', 'modules', kernelRelease);
  const index = await indexModules(join(srcMods, 'kernel'));
  const wanted = new Set<string>();
  const queue = MODULES.map(norm);
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

  await writeFile(join(root, 'etc', 'pvconform', 'modules'), MODULES.join('\n') + '\n');
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\nwheel:x:10:root\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc', 'shells'), '/bin/sh\n');
  await writeFile(join(root, 'etc', 'hostname'), 'guest\n');
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
  // The client key is made per cache entry; the host key at build time, then pinned.
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pvconform-harness', '-f', join(keys, 'client_ed25519')]);
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
  // Sorted names and fixed owners/times keep the archive stable for the same inputs.
  const { stdout: list } = await run('sh', ['-c', 'find . -print0 | LC_ALL=C sort -z'], { cwd: root });
  await run('sh', ['-c', `find . -exec touch -h -d @0 {} + && LC_ALL=C find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet | gzip -9 -n > '${outFile}'`], { cwd: root });
  void list;
}
