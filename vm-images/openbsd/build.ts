// `pvconform images build openbsd-<release>`: fetch the miniroot and sets, check them against
// the release's SHA256 list (signature-checked where the release key is on this host), run the
// autoinstaller under QEMU with install.conf served over HTTP, configure the first boot over
// the serial console, and publish the disk read-only in the image cache.
import { randomBytes } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChecksumError, checksumFor, parseChecksumList, type ChecksumEntry } from '../../harness/images/cache/checksum-list.ts';
import { fetchText, fetchVerified } from '../../harness/images/cache/media-store.ts';
import { findSignifyKey, keyNameFromSignature, verifyEmbedded } from '../../harness/images/cache/signify.ts';
import { imageKey, readManifest, MANIFEST_FILE, type MediaRecord } from '../../harness/images/cache/manifest.ts';
import { startPartialBuild } from '../../harness/images/cache/publish.ts';
import { normalizeMirror } from '../../harness/images/recipes/mirror.ts';
import { startInstallServer, SLIRP_HOST, type InstallServer, type Served } from '../../harness/images/recipes/install-server.ts';
import { startBuildVm } from '../../harness/images/recipes/build-vm.ts';
import { drivePrompts } from '../../harness/images/recipes/prompt-driver.ts';
import { makeKeyPair } from '../../harness/images/recipes/ssh-keys.ts';
import { readHostKey, runSteps } from '../../harness/images/recipes/guest-steps.ts';
import { buildAccel, buildLogDir, buildTimeout, reuseIfIntact, waitPowerOff, type BsdBuildOptions, type BuiltImage } from '../../harness/images/recipes/bsd-build.ts';
import { check, createBlank } from '../../harness/qemu/qemu-img.ts';
import { Transcript } from '../../harness/console/transcript.ts';
import { ConsoleShell, loginOnConsole } from '../../harness/console/shell.ts';
import type { ConsoleSession } from '../../harness/console/session.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { baseKeyName, DEFAULT_OPENBSD_MIRROR, OPENBSD_MIRROR_EXAMPLE, openbsdMedia, parseOpenbsdName, releaseUrl, type OpenbsdRelease } from './release.ts';
import { installConf } from './install-conf.ts';
import { FIRST_BOOT, installerPrompts, REBOOTED } from './prompts.ts';
import { openbsdSteps } from './configure.ts';

/** Bump whenever the way the image is made changes, so caches rebuild. */
export const OPENBSD_RECIPE_VERSION = 1;
export const TEST_USER = 'pvtest';
export const READY_MARKER = 'GUEST-READY';
const DISK_BYTES = 16 * 2 ** 30;

export interface TrustedList {
  entries: ChecksumEntry[];
  /** How it was trusted, in words, for the manifest and the log. */
  trust: string;
  sigText: string;
  shaText: string;
}

/** Fetches SHA256 and SHA256.sig and decides what to trust: the signed list when the release
 *  key is on this host, else the plain list (the installer still checks SHA256.sig itself). */
export async function trustedChecksums(base: string, r: OpenbsdRelease, opts: Pick<BsdBuildOptions, 'log' | 'signal'>): Promise<TrustedList> {
  const shaUrl = `${base}SHA256`;
  const sigUrl = `${base}SHA256.sig`;
  const shaText = await fetchText(shaUrl, opts);
  const sigText = await fetchText(sigUrl, opts).catch((e) => {
    throw new InfraError(`${sigUrl} could not be fetched (${(e as Error).message}); the installer refuses sets without it. Fix: use a complete mirror`);
  });
  const plain = parseChecksumList(shaText);
  if (plain.length === 0) throw new ChecksumError(`${shaUrl} holds no SHA256 lines; is --mirror the folder above ${r.release}/?`);
  const keyName = keyNameFromSignature(sigText) ?? baseKeyName(r);
  const key = findSignifyKey(keyName);
  if (key) {
    const signed = parseChecksumList(verifyEmbedded(sigText, key.text, { sig: sigUrl, key: key.path }));
    return { entries: signed, trust: `SHA256.sig verified on the host with ${key.path}`, sigText, shaText };
  }
  // Without the key we cannot check the signature, but the two lists must at least agree.
  const embedded = parseChecksumList(sigText.split('\n').slice(2).join('\n'));
  for (const e of plain) {
    const other = embedded.find((x) => x.file === e.file);
    if (other && other.hex !== e.hex) throw new ChecksumError(`${shaUrl} and ${sigUrl} disagree about ${e.file}; refusing both`);
  }
  opts.log(`${r.name}: no ${keyName} on this host (looked in $PVCONFORM_SIGNIFY_KEYS, /usr/share/signify-openbsd-keys, /etc/signify), so SHA256.sig is checked only by the installer`);
  return { entries: plain, trust: `SHA256 list from ${shaUrl}; signature not checked on the host (no ${keyName}); the installer verified SHA256.sig with its own key`, sigText, shaText };
}

/** After CONGRATULATIONS the installer reboots rather than powering off. With -no-reboot QEMU
 *  exits; should the machine come back instead (boot loader, installer menu), that is also the
 *  end of the install, and the caller stops QEMU. */
export async function awaitInstallerReboot(session: ConsoleSession, exited: Promise<unknown>, timeoutMs: number): Promise<string> {
  return Promise.race([
    exited.then(() => 'QEMU exited at the reboot'),
    session.expect(REBOOTED, { step: 'reboot', timeoutMs, what: 'the installer rebooting' }).then(() => 'the machine came back up; stopping it'),
  ]);
}

export async function buildOpenbsd(name: string, opts: BsdBuildOptions): Promise<BuiltImage> {
  const r = parseOpenbsdName(name);
  const mirror = normalizeMirror(opts.mirror, DEFAULT_OPENBSD_MIRROR, OPENBSD_MIRROR_EXAMPLE);
  const base = releaseUrl(mirror, r);
  const log = opts.log;
  log(`${name}: release folder ${base}`);

  // 1. Media, each checked before it is used or kept.
  const list = await trustedChecksums(base, r, opts);
  const want = openbsdMedia(r);
  const media: (MediaRecord & { path: string })[] = [];
  for (const file of [want.boot, ...want.sets, ...want.alsoServed]) {
    const entry = checksumFor(list.entries, file, 'sha256', `${base}SHA256`);
    const path = await fetchVerified(opts.cacheDir, `${base}${file}`, entry, opts);
    media.push({ file, url: `${base}${file}`, algorithm: 'sha256', hex: entry.hex, path });
  }

  // 2. Same inputs, intact image: done.
  const key = imageKey({ name, arch: r.arch, recipeVersion: OPENBSD_RECIPE_VERSION, media });
  const cached = opts.force ? null : await reuseIfIntact(opts.cacheDir, name, key, log);
  if (cached) return cached;

  // 3. Install and configure in a partial folder that only becomes the image at the end.
  const partial = await startPartialBuild(opts.cacheDir, name, key);
  const logs = await buildLogDir(opts.cacheDir, name);
  const transcript = new Transcript(join(logs, 'transcript.jsonl'));
  let server: InstallServer | null = null;
  try {
    const keys = await makeKeyPair(partial.dir, `pvconform@${name}`);
    const disk = join(partial.dir, 'disk.qcow2');
    await createBlank(disk, DISK_BYTES);
    const rootPassword = randomBytes(12).toString('base64url');
    const setsDir = `pub/OpenBSD/${r.release}/${r.arch}`;
    const routes = new Map<string, Served>();
    for (const m of media) if (m.file !== want.boot) routes.set(`/${setsDir}/${m.file}`, { file: m.path });
    routes.set(`/${setsDir}/SHA256.sig`, { text: list.sigText });
    routes.set(`/${setsDir}/SHA256`, { text: list.shaText });
    routes.set(`/${setsDir}/index.txt`, { text: [...want.sets, ...want.alsoServed, 'SHA256', 'SHA256.sig'].join('\n') + '\n' });
    server = await startInstallServer(routes, log);
    routes.set(
      '/install.conf',
      {
        text: installConf({
          hostname: 'pvguest',
          rootPassword,
          rootKey: keys.publicLine,
          testUser: TEST_USER,
          testUserKey: keys.publicLine,
          setsServer: `${SLIRP_HOST}:${server.port}`,
          setsDir,
          rootDisk: 'sd0',
        }),
      },
    );

    const common = [...buildAccel(), '-machine', 'pc,graphics=off', '-m', '1024', '-smp', '1', '-nodefaults', '-no-user-config', '-no-reboot',
      '-device', 'VGA', '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0', '-device', 'virtio-rng-pci'];
    const miniroot = media.find((m) => m.file === want.boot)!.path;

    // The installer: miniroot on IDE (boots bsd.rd), the target disk on virtio-blk (sd0).
    log(`${name}: installing (console log ${join(logs, 'install-console.log')})`);
    const inst = await startBuildVm({
      label: `${name} installer`,
      consoleLog: join(logs, 'install-console.log'),
      transcript,
      log,
      qemuArgs: [...common,
        '-drive', `if=none,id=mini,file=${miniroot},format=raw,snapshot=on`, '-device', 'ide-hd,drive=mini,bootindex=0',
        '-drive', `if=none,id=sys,file=${disk},format=qcow2`, '-device', 'virtio-blk-pci,drive=sys,bootindex=1'],
    });
    try {
      await drivePrompts(inst.session, installerPrompts(`http://${SLIRP_HOST}:${server.port}/install.conf`), {
        step: 'install', timeoutMs: buildTimeout(150 * 60_000), signal: opts.signal, log,
      });
      log(`${name}: install finished; ${await awaitInstallerReboot(inst.session, inst.exited, buildTimeout(15 * 60_000))}`);
    } finally {
      await inst.stop();
    }
    for (const needed of ['/install.conf', `/${setsDir}/SHA256.sig`, `/${setsDir}/base${r.short}.tgz`, `/${setsDir}/comp${r.short}.tgz`])
      if (!server.requests.includes(`GET ${needed} 200`)) throw new InfraError(`${name}: the installer finished without fetching ${needed}; see ${logs}`);
    await server.close();
    server = null;

    // First boot from the new disk alone, configured over the console.
    const boot = await startBuildVm({
      label: `${name} first boot`,
      consoleLog: join(logs, 'firstboot-console.log'),
      transcript,
      log,
      qemuArgs: [...common, '-drive', `if=none,id=sys,file=${disk},format=qcow2`, '-device', 'virtio-blk-pci,drive=sys,bootindex=0'],
    });
    let hostKey: string;
    try {
      await drivePrompts(boot.session, FIRST_BOOT, { step: 'first boot', timeoutMs: buildTimeout(40 * 60_000), signal: opts.signal, log });
      await loginOnConsole(boot.session, { user: 'root', password: rootPassword, timeoutMs: buildTimeout(5 * 60_000) });
      const sh = await ConsoleShell.attach(boot.session, { timeoutMs: buildTimeout(2 * 60_000) });
      await runSteps(sh, openbsdSteps({ release: r.release, harnessKey: keys.publicLine, testUser: TEST_USER, readyMarker: READY_MARKER }), log, buildTimeout(5 * 60_000));
      hostKey = await readHostKey(sh, buildTimeout(60_000));
      await boot.session.sendLine('sync; halt -p', 'power off');
      await waitPowerOff(boot, `${name} first boot`, buildTimeout(10 * 60_000));
    } finally {
      await boot.stop();
    }

    const c = await check(disk);
    if (!c.clean) throw new InfraError(`${name}: qemu-img check found ${c.corruptions} corruption(s) and ${c.leaks} leak(s) in the new disk`);
    for (const f of ['install-console.log', 'firstboot-console.log', 'transcript.jsonl']) await copyFile(join(logs, f), join(partial.dir, `build-${f}`));
    const dir = await partial.publish(
      {
        schema: 1,
        name,
        os: 'openbsd',
        release: r.release,
        arch: r.arch,
        recipeVersion: OPENBSD_RECIPE_VERSION,
        key,
        createdAt: new Date().toISOString(),
        media: media.map(({ file, url, algorithm, hex }) => ({ file, url, algorithm, hex })),
        trust: list.trust,
        disk: { path: 'disk.qcow2', format: 'qcow2' },
        ssh: { user: 'root', privateKey: 'id_ed25519', hostKey },
        testUser: TEST_USER,
        readyMarker: READY_MARKER,
        fallbackNic: 'e1000',
      },
      [
        { path: 'disk.qcow2', role: 'disk' },
        { path: 'id_ed25519', role: 'ssh-private-key' },
        { path: 'id_ed25519.pub', role: 'ssh-public-key' },
        { path: 'build-install-console.log', role: 'log' },
        { path: 'build-firstboot-console.log', role: 'log' },
        { path: 'build-transcript.jsonl', role: 'log' },
      ],
    );
    log(`${name}: built ${dir}`);
    return { name, dir, manifest: await readManifest(join(dir, MANIFEST_FILE)), reused: false };
  } catch (e) {
    await partial.discard();
    if (e instanceof Error && !e.message.includes(logs)) e.message += `\n(build logs: ${logs})`;
    throw e;
  } finally {
    await server?.close();
  }
}
