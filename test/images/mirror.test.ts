import t from 'tap';
import { normalizeMirror } from '../../harness/images/recipes/mirror.ts';
import { UsageError } from '../../harness/core/errors.ts';
import { parseOpenbsdName, releaseUrl, openbsdMedia, baseKeyName } from '../../vm-images/openbsd/release.ts';
import { parseNetbsdName, imagesUrl, liveImageName } from '../../vm-images/netbsd/release.ts';

const EX = 'https://cdn.openbsd.org/pub/OpenBSD/';

t.test('mirror URLs', async (t) => {
  t.equal(normalizeMirror(undefined, EX, EX), EX, 'default');
  t.equal(normalizeMirror('http://127.0.0.1:8080', EX, EX), 'http://127.0.0.1:8080/', 'a trailing slash is added');
  t.equal(normalizeMirror(' https://mirror.example/pub/OpenBSD ', EX, EX), 'https://mirror.example/pub/OpenBSD/');
  for (const bad of ['ftp://x/', 'not a url', 'http://x/?a=1', 'file:///tmp/'])
    t.throws(() => normalizeMirror(bad, EX, EX), UsageError, bad);
  t.match(() => normalizeMirror('ftp://x/', EX, EX), Function);
  try {
    normalizeMirror('ftp://x/', EX, EX);
  } catch (e) {
    t.match((e as Error).message, /--mirror .*Fix: e\.g\. https:\/\/cdn\.openbsd\.org/, 'names the option and the fix');
  }
});

t.test('OpenBSD release layout', async (t) => {
  const r = parseOpenbsdName('openbsd-7.8');
  t.same(r, { name: 'openbsd-7.8', release: '7.8', short: '78', arch: 'amd64' });
  t.equal(releaseUrl('http://127.0.0.1:9/', r), 'http://127.0.0.1:9/7.8/amd64/');
  t.same(openbsdMedia(r).sets, ['bsd', 'bsd.mp', 'bsd.rd', 'base78.tgz', 'comp78.tgz']);
  t.equal(openbsdMedia(r).boot, 'miniroot78.img');
  t.equal(baseKeyName(r), 'openbsd-78-base.pub');
  for (const bad of ['openbsd-7', 'openbsd-7.10', 'openbsd7.8', 'OpenBSD-7.8']) t.throws(() => parseOpenbsdName(bad), UsageError, bad);
});

t.test('NetBSD release layout', async (t) => {
  const r = parseNetbsdName('netbsd-10.1');
  t.equal(imagesUrl('https://cdn.netbsd.org/pub/NetBSD/', r), 'https://cdn.netbsd.org/pub/NetBSD/NetBSD-10.1/images/');
  t.equal(liveImageName(r), 'NetBSD-10.1-amd64-live.img.gz');
  t.throws(() => parseNetbsdName('netbsd-10'), UsageError);
});
