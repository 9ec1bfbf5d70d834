// Downloads into the content-addressed media store: a good file is stored read-only under its
// hash and reused; a bad one is deleted and reported with both hashes; nothing half-written stays.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fetchText, fetchVerified, mediaPath } from '../../harness/images/cache/media-store.ts';
import { ChecksumError } from '../../harness/images/cache/checksum-list.ts';
import { InfraError } from '../../harness/core/errors.ts';

const good = Buffer.from('the set as the mirror signed it\n'.repeat(1000));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let hits = 0;
const server = createServer((req, res) => {
  hits++;
  if (req.url === '/good.tgz') res.end(good);
  else if (req.url === '/bad.tgz') res.end(Buffer.concat([good.subarray(0, 100), Buffer.from('X'), good.subarray(101)]));
  else if (req.url === '/SHA256') res.end(`SHA256 (good.tgz) = ${sha(good)}\n`);
  else res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const cache = mkdtempSync(join(tmpdir(), 'pvc-media-'));
t.teardown(() => {
  server.close();
  rmSync(cache, { recursive: true, force: true });
});
const log = () => {};
const entry = { algorithm: 'sha256' as const, file: 'good.tgz', hex: sha(good) };

t.test('a good download lands read-only at its content address, then is reused', async (t) => {
  const p = await fetchVerified(cache, `${base}/good.tgz`, entry, { log });
  t.equal(p, mediaPath(cache, 'sha256', entry.hex));
  t.equal(statSync(p).mode & 0o777, 0o444);
  const before = hits;
  t.equal(await fetchVerified(cache, `${base}/good.tgz`, entry, { log }), p);
  t.equal(hits, before, 'no second download');
});

t.test('a corrupted download is refused, deleted, and named with both hashes', async (t) => {
  const fresh = mkdtempSync(join(tmpdir(), 'pvc-media-'));
  t.teardown(() => rmSync(fresh, { recursive: true, force: true }));
  const err = await fetchVerified(fresh, `${base}/bad.tgz`, { ...entry, file: 'comp78.tgz' }, { log }).catch((e) => e);
  t.type(err, ChecksumError);
  t.match(err.message, /checksum mismatch for comp78\.tgz fetched from http:\/\/127\.0\.0\.1:\d+\/bad\.tgz/);
  t.match(err.message, new RegExp(`should be ${entry.hex}`));
  t.match(err.message, /Fix: try again, or use another --mirror/);
  t.same(readdirSync(join(fresh, 'media', 'sha256')), [], 'nothing stored, no partial download left');
});

t.test('a damaged cached copy is fetched again', async (t) => {
  const p = mediaPath(cache, 'sha256', entry.hex);
  chmodSync(p, 0o644);
  writeFileSync(p, 'rot');
  const before = hits;
  await fetchVerified(cache, `${base}/good.tgz`, entry, { log });
  t.equal(hits, before + 1, 'downloaded again');
  t.equal(sha(Buffer.from(await (await import('node:fs/promises')).readFile(p))), entry.hex);
});

t.test('HTTP errors name the URL', async (t) => {
  await t.rejects(fetchText(`${base}/missing`, { log }), InfraError);
  await t.rejects(fetchText(`${base}/missing`, { log }), /could not fetch http:\/\/127\.0\.0\.1:\d+\/missing: HTTP 404/);
  await t.rejects(fetchText('http://127.0.0.1:1/x', { log }), /could not fetch http:\/\/127\.0\.0\.1:1\/x/);
  t.match(await fetchText(`${base}/SHA256`, { log }), /^SHA256 \(good\.tgz\)/);
});
