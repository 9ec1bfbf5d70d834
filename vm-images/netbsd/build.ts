// `pvconform images build netbsd-<release>`: fetch the official live image, check it against
// the release's SHA512 list, boot it under QEMU and configure it over the serial console
// (README.md says why this and not sysinst), then publish the disk read-only in the cache.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { execa } from 'execa';
import { checksumFor, parseChecksumList, ChecksumError } from '../../harness/images/cache/checksum-list.ts';
import { fetchText, fetchVerified } from '../../harness/images/cache/media-store.ts';
import { imageKey, readManifest, MANIFEST_FILE } from '../../harness/images/cache/manifest.ts';
import { startPartialBuild } from '../../harness/images/cache/publish.ts';
import { normalizeMirror } from '../../harness/images/recipes/mirror.ts';
import { startBuildVm } from '../../harness/images/recipes/build-vm.ts';
import { drivePrompts } from '../../harness/images/recipes/prompt-driver.ts';
import { makeKeyPair } from '../../harness/images/recipes/ssh-keys.ts';
import { readHostKey, runSteps } from '../../harness/images/recipes/guest-steps.ts';
import { buildAccel, buildLogDir, buildTimeout, reuseIfIntact, waitPowerOff, type BsdBuildOptions, type BuiltImage } from '../../harness/images/recipes/bsd-build.ts';
import { check, convert } from '../../harness/qemu/qemu-img.ts';
import { Transcript } from '../../harness/console/transcript.ts';
import { ConsoleShell, loginOnConsole } from '../../harness/console/shell.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { DEFAULT_NETBSD_MIRROR, imagesUrl, liveImageName, parseNetbsdName } from './release.ts';
import { NETBSD_BOOT } from './prompts.ts';
import { netbsdSteps } from './configure.ts';

export const NETBSD_RECIPE_VERSION = 1;
export const TEST_USER = 'pvtest';
export const READY_MARKER = 'GUEST-READY';
const DISK_SIZE = '16G';

export async function buildNetbsd(name: string, opts: BsdBuildOptions): Promise<BuiltImage> {
  const r = parseNetbsdName(name);
  const mirror = normalizeMirror(opts.mirror, DEFAULT_NETBSD_MIRROR, DEFAULT_NETBSD_MIRROR);
  const base = imagesUrl(mirror, r);
  const log = opts.log;
  log(`${name}: images folder ${base}`);

  // 1. The live image, checked against SHA512 (NetBSD does not sign these lists).
  const listUrl = `${base}SHA512`;
  const entries = parseChecksumList(await fetchText(listUrl, opts));
  if (entries.length === 0) throw new ChecksumError(`${listUrl} holds no SHA512 lines; is --mirror the folder above NetBSD-${r.release}/?`);
  const file = liveImageName(r);
  const entry = checksumFor(entries, file, 'sha512', listUrl);
  const gz = await fetchVerified(opts.cacheDir, `${base}${file}`, entry, opts);
  const media = [{ file, url: `${base}${file}`, algorithm: 'sha512' as const, hex: entry.hex }];

  const key = imageKey({ name, arch: r.arch, recipeVersion: NETBSD_RECIPE_VERSION, media });
  const cached = opts.force ? null : await reuseIfIntact(opts.cacheDir, name, key, log);
  if (cached) return cached;

  const partial = await startPartialBuild(opts.cacheDir, name, key);
  const logs = await buildLogDir(opts.cacheDir, name);
  const transcript = new Transcript(join(logs, 'transcript.jsonl'));
  try {
    const keys = await makeKeyPair(partial.dir, `pvconform@${name}`);
    // The image, unpacked, as qcow2, grown: the live image grows its root to fill the disk.
    const raw = join(partial.dir, 'disk.raw');
    const disk = join(partial.dir, 'disk.qcow2');
    log(`${name}: unpacking ${file}`);
    await pipeline(createReadStream(gz), createGunzip(), createWriteStream(raw));
    await convert(raw, 'raw', disk, 'qcow2');
    await rm(raw);
    await execa('qemu-img', ['resize', '-q', disk, DISK_SIZE]);

    log(`${name}: first boot (console log ${join(logs, 'firstboot-console.log')})`);
    const vm = await startBuildVm({
      label: `${name} first boot`,
      consoleLog: join(logs, 'firstboot-console.log'),
      transcript,
      log,
      // IDE, so the disk is wd0 as the image expects; no -no-reboot: the first boot reboots
      // once by itself after growing the root file system. ipv6=off: NetBSD waits long on
      // slirp's IPv6 (QEMU tests/vm/netbsd).
      qemuArgs: [...buildAccel(), '-machine', 'pc,graphics=off', '-m', '1024', '-smp', '1', '-nodefaults', '-no-user-config', '-device', 'VGA',
        '-drive', `if=none,id=sys,file=${disk},format=qcow2`, '-device', 'ide-hd,drive=sys,bootindex=0',
        '-netdev', 'user,id=n0,ipv6=off', '-device', 'virtio-net-pci,netdev=n0', '-device', 'virtio-rng-pci'],
    });
    let hostKey: string;
    try {
      await drivePrompts(vm.session, NETBSD_BOOT, { step: 'first boot', timeoutMs: buildTimeout(40 * 60_000), signal: opts.signal, log });
      await loginOnConsole(vm.session, { user: 'root', timeoutMs: buildTimeout(5 * 60_000) });
      const sh = await ConsoleShell.attach(vm.session, { timeoutMs: buildTimeout(2 * 60_000), switchTo: 'exec /bin/sh' });
      await runSteps(sh, netbsdSteps({ release: r.release, harnessKey: keys.publicLine, testUser: TEST_USER, readyMarker: READY_MARKER }), log, buildTimeout(5 * 60_000));
      hostKey = await readHostKey(sh, buildTimeout(60_000));
      await vm.session.sendLine('sync; shutdown -p now', 'power off');
      await waitPowerOff(vm, `${name} first boot`, buildTimeout(10 * 60_000));
    } finally {
      await vm.stop();
    }

    const c = await check(disk);
    if (!c.clean) throw new InfraError(`${name}: qemu-img check found ${c.corruptions} corruption(s) and ${c.leaks} leak(s) in the new disk`);
    for (const f of ['firstboot-console.log', 'transcript.jsonl']) await copyFile(join(logs, f), join(partial.dir, `build-${f}`));
    const dir = await partial.publish(
      {
        schema: 1,
        name,
        os: 'netbsd',
        release: r.release,
        arch: r.arch,
        recipeVersion: NETBSD_RECIPE_VERSION,
        key,
        createdAt: new Date().toISOString(),
        media,
        trust: `SHA512 list from ${listUrl} (NetBSD publishes no signature for it)`,
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
  }
}
