// The nested Xen host's cache entry is checked like linux-ref's: every file against a sealed
// manifest, the pinned key strictly. Small stand-in files here (the real xen-host build takes
// minutes and is exercised by test/providers/xen/); the checks are the same code.
import t from 'tap';
import { chmodSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveXenHost } from '../../vm-images/xen-host/image.ts';
import { KEY_FILES, writeSealedManifest } from '../../harness/images/recipes/debian-cache-entry.ts';
import { imagesVerify } from '../../harness/images/cache/maintenance.ts';
import { DamagedImageError, InfraError } from '../../harness/core/errors.ts';
import { scratch } from '../helpers/cli.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIPy6Fs2xoLdM56ATaMm8t5kiXrKtZ2ZUYeGHf6HY9HE';

async function fakeEntry(cache: string, key: string): Promise<string> {
  const dir = join(cache, 'xen-host', key);
  mkdirSync(join(dir, 'keys'), { recursive: true });
  for (const [f, text] of [['xen', 'XEN'], ['vmlinuz', 'KERNEL'], ['dom0.cpio.gz', 'INITRD'], ['keys/client_ed25519', 'PRIVATE'], ['keys/client_ed25519.pub', KEY], ['keys/host_ed25519.pub', KEY]])
    writeFileSync(join(dir, f), text);
  await writeSealedManifest(dir, { image: 'xen-host', key, xenVersion: '4.17', kernelRelease: '6.1.0-test', builtAt: new Date().toISOString() }, [
    { path: 'xen', role: 'hypervisor' },
    { path: 'vmlinuz', role: 'kernel' },
    { path: 'dom0.cpio.gz', role: 'initrd' },
    ...KEY_FILES,
  ]);
  return dir;
}

t.test('an intact entry resolves; a damaged one is DamagedImageError naming the file', async (t) => {
  const cache = scratch(t);
  const dir = await fakeEntry(cache, 'k1');
  const image = await resolveXenHost(join(cache, 'xen-host'));
  t.equal(image.hostKey, KEY);
  t.equal(image.files.xenVersion, '4.17');
  t.equal((await imagesVerify(cache)).exitCode, 0);
  const hyp = join(dir, 'xen');
  chmodSync(hyp, 0o644);
  writeFileSync(hyp, 'XEM');
  const e = await resolveXenHost(join(cache, 'xen-host')).catch((x: unknown) => x);
  t.type(e, DamagedImageError);
  t.type(e, InfraError, "the harness's problem (error), never the guest's");
  t.equal((e as DamagedImageError).image, 'xen-host');
  t.equal((e as DamagedImageError).file, hyp);
  const v = await imagesVerify(cache);
  t.equal(v.exitCode, 2);
  t.match(v.text, 'xen-host/k1: DAMAGED (xen)');
});

t.test('a pinned key recorded empty at build time is damage too', async (t) => {
  const cache = scratch(t);
  const dir = join(cache, 'xen-host', 'k2');
  mkdirSync(join(dir, 'keys'), { recursive: true });
  for (const f of ['xen', 'vmlinuz', 'dom0.cpio.gz', 'keys/client_ed25519', 'keys/client_ed25519.pub']) writeFileSync(join(dir, f), 'x');
  writeFileSync(join(dir, 'keys/host_ed25519.pub'), '');
  await writeSealedManifest(dir, { image: 'xen-host', key: 'k2', builtAt: '2026-01-01T00:00:00Z' }, [{ path: 'xen', role: 'hypervisor' }, ...KEY_FILES]);
  t.ok(readFileSync(join(dir, 'manifest.json'), 'utf8').includes('manifestSha256'));
  const e = await resolveXenHost(join(cache, 'xen-host')).catch((x: unknown) => x);
  t.type(e, DamagedImageError);
  t.match((e as Error).message, /host_ed25519\.pub: the pinned host key is unusable: it is empty/);
});
