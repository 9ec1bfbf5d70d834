// One rule for where images are cached, for every command: $PVCONFORM_IMAGE_CACHE when set,
// else .cache/images of the checkout. `run` resolves from it and `images build` writes to it.
import t from 'tap';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultCacheDir, imageCacheDir } from '../../harness/images/cache/entries.ts';
import { linuxRefCacheDir, findCachedImage } from '../../vm-images/linux-ref/build.ts';
import { xenHostCacheDir } from '../../vm-images/xen-host/build.ts';
import { pvconform, readResults, scratch } from '../helpers/cli.ts';

t.setTimeout(300_000); // one real linux-ref build (~25 s) and a few CLI runs

t.test('the rule: the environment when set (read at each call), the checkout otherwise', async (t) => {
  const saved = process.env.PVCONFORM_IMAGE_CACHE;
  t.teardown(() => {
    if (saved === undefined) delete process.env.PVCONFORM_IMAGE_CACHE;
    else process.env.PVCONFORM_IMAGE_CACHE = saved;
  });
  delete process.env.PVCONFORM_IMAGE_CACHE;
  const checkout = resolve(import.meta.dirname, '..', '..', '.cache', 'images');
  t.equal(defaultCacheDir(), checkout);
  t.equal(linuxRefCacheDir(), join(checkout, 'linux-ref'));
  process.env.PVCONFORM_IMAGE_CACHE = '/tmp/elsewhere';
  t.equal(defaultCacheDir(), '/tmp/elsewhere');
  t.equal(linuxRefCacheDir(), '/tmp/elsewhere/linux-ref', 'linux-ref follows it');
  t.equal(xenHostCacheDir(), '/tmp/elsewhere/xen-host', 'xen-host follows it');
  t.equal(imageCacheDir('openbsd-7.8'), '/tmp/elsewhere/openbsd-7.8', 'the BSD images follow it');
});

t.test('run resolves linux-ref from $PVCONFORM_IMAGE_CACHE', async (t) => {
  const dir = scratch(t);
  const empty = join(dir, 'empty');
  const r = await pvconform(['run', '--out', join(dir, 'run'), '--check', 'virtio.4/entropy'], { env: { PVCONFORM_IMAGE_CACHE: empty } });
  const results = readResults(join(dir, 'run'));
  t.ok(results.length === 2 && results.every((x) => x.state === 'skip' && /no image: build it with `pvconform images build linux-ref`/.test(x.message)), `an empty cache there: no image, though the checkout has one\n${r.all.slice(-400)}`);
});

t.test('images build linux-ref writes into $PVCONFORM_IMAGE_CACHE, and rebuilds a damaged copy there', async (t) => {
  const source = await findCachedImage();
  if (!source) throw new Error('linux-ref is not built: run `bin/pvconform images build linux-ref`');
  const cache = join(scratch(t), 'cache');
  const copy = join(cache, 'linux-ref', source.key);
  cpSync(source.dir, copy, { recursive: true });
  const cached = await pvconform(['images', 'build', 'linux-ref'], { env: { PVCONFORM_IMAGE_CACHE: cache } });
  t.equal(cached.exitCode, 0, cached.all.slice(-400));
  t.equal(cached.stdout.trim(), copy, 'the intact copy there is the cached image (nothing rebuilt)');
  t.match(cached.stderr, `is cached in ${copy}`);
  // Damage it: the build must notice and make it again, in the same place.
  const { rmSync } = await import('node:fs');
  rmSync(join(copy, 'keys', 'host_ed25519.pub'));
  const rebuilt = await pvconform(['images', 'build', 'linux-ref'], { env: { PVCONFORM_IMAGE_CACHE: cache } });
  t.equal(rebuilt.exitCode, 0, rebuilt.all.slice(-400));
  t.match(rebuilt.stderr, 'is damaged or has no checksums: building it again');
  t.equal(rebuilt.stdout.trim(), copy);
  t.ok(existsSync(join(copy, 'keys', 'host_ed25519.pub')), 'rebuilt');
  const v = await pvconform(['images', 'verify'], { env: { PVCONFORM_IMAGE_CACHE: cache } });
  t.equal(v.exitCode, 0, `verify (reading the same place) says it is intact: ${v.stdout}`);
  t.same(readdirSync(join(cache, 'linux-ref')), [source.key], 'nothing else left there');
});
