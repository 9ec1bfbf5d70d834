// The image cache: a build published from a partial folder is read-only and verifies; a damaged
// disk (flipped byte, qemu-img check) is reported, refused by resolve and pruned; unfinished
// builds are pruned; list shows release, recipe version and date.
import '../../vm-images/index.ts';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { imageKey, readManifest, writeManifest, type ImageManifest } from '../../harness/images/cache/manifest.ts';
import { startPartialBuild } from '../../harness/images/cache/publish.ts';
import { listEntries } from '../../harness/images/cache/entries.ts';
import { verifyEntry } from '../../harness/images/cache/verify.ts';
import { imagesList, imagesPrune, imagesVerify } from '../../harness/images/cache/maintenance.ts';
import { resolveBsdImage } from '../../harness/images/recipes/bsd-images.ts';
import { OPENBSD_RECIPE_VERSION } from '../../vm-images/openbsd/build.ts';
import { NoImageError } from '../../harness/images/guest-image.ts';
import { DamagedImageError } from '../../harness/core/errors.ts';

const cache = mkdtempSync(join(tmpdir(), 'pvc-cache-'));
t.teardown(() => rmSync(cache, { recursive: true, force: true }));

const media = [{ file: 'miniroot78.img', url: 'http://m/7.8/amd64/miniroot78.img', algorithm: 'sha256' as const, hex: 'a'.repeat(64) }];

async function fakeBuild(createdAt: string, hexSeed = 'a'): Promise<string> {
  const m = [{ ...media[0], hex: hexSeed.repeat(64) }];
  const key = imageKey({ name: 'openbsd-7.8', arch: 'amd64', recipeVersion: OPENBSD_RECIPE_VERSION, media: m });
  const p = await startPartialBuild(cache, 'openbsd-7.8', key);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(p.dir, 'disk.qcow2'), '64M']);
  writeFileSync(join(p.dir, 'id_ed25519'), 'PRIVATE');
  writeFileSync(join(p.dir, 'id_ed25519.pub'), 'ssh-ed25519 AAAA test');
  const manifest: Omit<ImageManifest, 'files'> = {
    schema: 1, name: 'openbsd-7.8', os: 'openbsd', release: '7.8', arch: 'amd64', recipeVersion: OPENBSD_RECIPE_VERSION, key, createdAt,
    media: m, trust: 'test', disk: { path: 'disk.qcow2', format: 'qcow2' },
    ssh: { user: 'root', privateKey: 'id_ed25519', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIPy6Fs2xoLdM56ATaMm8t5kiXrKtZ2ZUYeGHf6HY9HE' }, testUser: 'pvtest', readyMarker: 'GUEST-READY', fallbackNic: 'e1000',
  };
  return p.publish(manifest, [
    { path: 'disk.qcow2', role: 'disk' },
    { path: 'id_ed25519', role: 'ssh-private-key' },
    { path: 'id_ed25519.pub', role: 'ssh-public-key' },
  ]);
}

t.test('the key depends on every input', async (t) => {
  const k = (o: Partial<Parameters<typeof imageKey>[0]>) => imageKey({ name: 'openbsd-7.8', arch: 'amd64', recipeVersion: 1, media, ...o });
  t.match(k({}), /^[0-9a-f]{16}$/);
  t.equal(k({}), k({}), 'stable');
  t.not(k({}), k({ recipeVersion: 2 }), 'recipe version');
  t.not(k({}), k({ media: [{ ...media[0], hex: 'b'.repeat(64) }] }), 'media checksum');
  t.not(k({}), k({ name: 'openbsd-7.7' }), 'release');
});

t.test('nothing cached: resolve says how to build it', async (t) => {
  const err = await resolveBsdImage('openbsd-7.8', { cacheDir: cache }).catch((e) => e);
  t.type(err, NoImageError);
  t.match(err.message, /no image: build it with `pvconform images build openbsd-7\.8`/);
});

t.test('a published build is read-only, verifies, and resolves to a disk image', async (t) => {
  const dir = await fakeBuild('2026-11-23T10:00:00.000Z');
  t.notOk(readdirSync(join(cache, 'openbsd-7.8')).some((n) => n.startsWith('.partial-')), 'no partial folder left');
  t.equal(statSync(join(dir, 'disk.qcow2')).mode & 0o777, 0o444, 'disk 0444');
  t.equal(statSync(join(dir, 'id_ed25519')).mode & 0o777, 0o400, 'private key 0400');
  t.equal(statSync(join(dir, 'manifest.json')).mode & 0o777, 0o444, 'manifest 0444');
  const m = await readManifest(join(dir, 'manifest.json'));
  t.equal(m.files.length, 3);
  const [e] = await listEntries(cache, 'openbsd-7.8');
  t.same(await verifyEntry(e), { ok: true, problems: [], warnings: [], damagedFile: null });
  const img = await resolveBsdImage('openbsd-7.8', { cacheDir: cache });
  t.same(img.boot, { kind: 'disk', disk: join(dir, 'disk.qcow2'), format: 'qcow2' });
  t.equal(img.ssh.privateKeyPath, join(dir, 'id_ed25519'));
  t.equal(img.os, 'openbsd');
  const list = await imagesList(cache);
  t.match(list.text, /openbsd-7\.8 {2}[0-9a-f]{16} .* openbsd 7\.8 amd64, recipe v\d+, built 2026-11-23T10:00:00\.000Z/);
  t.equal((await imagesVerify(cache)).exitCode, 0);
});

t.test('a flipped byte in the disk is caught: verify fails, resolve refuses, prune removes', async (t) => {
  const [e] = await listEntries(cache, 'openbsd-7.8');
  const disk = join(e.dir, 'disk.qcow2');
  chmodSync(disk, 0o644);
  const fd = openSync(disk, 'r+');
  writeSync(fd, Buffer.from([0xff]), 0, 1, 150_000);
  closeSync(fd);
  chmodSync(disk, 0o444);
  const v = await imagesVerify(cache);
  t.equal(v.exitCode, 2, 'exit 2');
  t.match(v.text, /DAMAGED \(disk\.qcow2\)/);
  t.match(v.text, /disk\.qcow2: sha256 is [0-9a-f]{64}, the manifest says/);
  const err = await resolveBsdImage('openbsd-7.8', { cacheDir: cache }).catch((x) => x);
  t.type(err, DamagedImageError, 'never booted: an error of the harness side, not a skip');
  t.equal(err.file, disk, 'names the file');
  t.match(err.message, /damaged: .*disk\.qcow2: disk\.qcow2: sha256.*Fix: `pvconform images build openbsd-7\.8`/);
  const p = await imagesPrune(cache);
  t.match(p.text, /removed .*openbsd-7\.8\/[0-9a-f]{16}: disk\.qcow2: sha256/);
  t.notOk(existsSync(e.dir));
});

t.test('qemu-img check catches a qcow2 whose checksum was recorded after the damage', async (t) => {
  const dir = await fakeBuild('2026-11-23T11:00:00.000Z');
  const [e] = await listEntries(cache, 'openbsd-7.8');
  // Corrupt the qcow2 header's L1 table offset, then pretend the manifest recorded that.
  const disk = join(dir, 'disk.qcow2');
  chmodSync(disk, 0o644);
  const fd = openSync(disk, 'r+');
  writeSync(fd, Buffer.from([0, 0, 0, 0, 0, 0x7f, 0, 0x01]), 0, 8, 40);
  closeSync(fd);
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  e.manifest!.files[0].sha256 = createHash('sha256').update(readFileSync(disk)).digest('hex');
  await writeManifest(join(dir, 'manifest.json'), e.manifest!);
  const v = await verifyEntry(e);
  t.equal(v.ok, false);
  t.match(v.problems.join('\n'), /qemu-img check/);
  t.match(v.warnings.join('\n'), /writable/, 'a writable base is pointed out');
  rmSync(dir, { recursive: true, force: true });
});

t.test('prune: unfinished builds and superseded images go, the newest intact one stays', async (t) => {
  const older = await fakeBuild('2026-11-20T10:00:00.000Z', 'b');
  const newer = await fakeBuild('2026-11-23T12:00:00.000Z', 'c');
  mkdirSync(join(cache, 'openbsd-7.8', '.partial-deadbeef-1-abc'));
  mkdirSync(join(cache, 'linux-ref', 'k1'), { recursive: true });
  writeFileSync(join(cache, 'linux-ref', 'k1', 'manifest.json'), JSON.stringify({ image: 'linux-ref', recipeVersion: 1, builtAt: '2026-11-23T09:00:00Z' }));
  const list = await imagesList(cache);
  t.match(list.text, /linux-ref {2}k1 .*by another builder/);
  const dry = await imagesPrune(cache, { dryRun: true });
  t.match(dry.text, /would remove/);
  t.ok(existsSync(older), 'dry run removes nothing');
  const p = await imagesPrune(cache);
  t.match(p.text, /\.partial-deadbeef-1-abc: an unfinished build/);
  t.match(p.text, /superseded by/);
  t.notOk(existsSync(older));
  t.ok(existsSync(newer));
  t.match(p.text, /linux-ref\/k1: manifest\.json: records no checksum of itself/, 'a linux-ref without checksums can never be booted: pruned too');
  t.notOk(existsSync(join(cache, 'linux-ref', 'k1')));
  t.equal((await resolveBsdImage('openbsd-7.8', { cacheDir: cache })).boot.kind, 'disk');
});

t.test('a manifest that does not fit says which field', async (t) => {
  const dir = join(cache, 'netbsd-10.1', 'badkey');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ schema: 1, name: 'netbsd-10.1' }));
  const [e] = await listEntries(cache, 'netbsd-10.1');
  t.match(e.problem, /manifest\.json: field os: /);
  t.equal((await verifyEntry(e)).ok, false);
});
