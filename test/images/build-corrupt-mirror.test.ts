// Done-when: `pvconform images build openbsd-7.8 --mirror http://127.0.0.1:PORT/` against a
// local mirror (a fake release tree on 127.0.0.1, started here) whose comp set is corrupted
// fails with a clear checksum error, exits non-zero, and leaves no partial image behind.
import '../../vm-images/index.ts';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { buildBsdImage } from '../../harness/images/recipes/bsd-images.ts';
import { ChecksumError } from '../../harness/images/cache/checksum-list.ts';

t.setTimeout(120_000);
const BIN = resolve(import.meta.dirname, '../../bin/pvconform');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A release folder 7.8/amd64/ with small stand-in files; `corrupt` is served altered,
 *  `unlisted` is left out of SHA256. */
async function fakeMirror(opts: { corrupt?: string; unlisted?: string }) {
  const files = new Map<string, Buffer>();
  for (const f of ['miniroot78.img', 'bsd', 'bsd.mp', 'bsd.rd', 'base78.tgz', 'comp78.tgz', 'INSTALL.amd64']) files.set(f, randomBytes(4096));
  const list = [...files].filter(([f]) => f !== opts.unlisted).map(([f, b]) => `SHA256 (${f}) = ${sha(b)}`).join('\n') + '\n';
  // SHA256.sig's shape: comment line, base64 signature line, then the signed list.
  const sig = `untrusted comment: verify with openbsd-78-base.pub\n${randomBytes(74).toString('base64')}\n${list}`;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/7\.8\/amd64\/(.+)$/.exec(req.url ?? '');
    const name = m?.[1];
    if (name === 'SHA256') return res.end(list);
    if (name === 'SHA256.sig') return res.end(sig);
    const body = name ? files.get(name) : undefined;
    if (!body) return res.writeHead(404).end();
    if (name === opts.corrupt) {
      const bad = Buffer.from(body);
      bad[100] ^= 0xff;
      return res.end(bad);
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function noImageLeft(t: Test, cache: string): void {
  const img = join(cache, 'openbsd-7.8');
  t.same(existsSync(img) ? readdirSync(img) : [], [], 'no image folder and no partial build');
  const media = join(cache, 'media', 'sha256');
  t.notOk(existsSync(media) && readdirSync(media).some((f) => f.startsWith('.download-')), 'no half-written download');
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const keys = mkdtempSync(join(tmpdir(), 'pvc-nokeys-')); // no release key: the signature is left to the installer
t.teardown(() => rmSync(keys, { recursive: true, force: true }));

t.test('pvconform images build openbsd-7.8 --mirror <local mirror with a corrupted set>', async (t) => {
  const mirror = await fakeMirror({ corrupt: 'comp78.tgz' });
  const cache = mkdtempSync(join(tmpdir(), 'pvc-build-'));
  t.teardown(async () => {
    await mirror.close();
    rmSync(cache, { recursive: true, force: true });
  });
  const r = await cli(['images', 'build', 'openbsd-7.8', '--mirror', mirror.url], { PVCONFORM_IMAGE_CACHE: cache, PVCONFORM_SIGNIFY_KEYS: keys });
  t.not(r.code, 0, `non-zero exit (${r.code})`);
  t.match(r.stderr, /checksum mismatch for comp78\.tgz fetched from http:\/\/127\.0\.0\.1:\d+\/7\.8\/amd64\/comp78\.tgz/, 'a clear checksum error');
  t.match(r.stderr, /sha256 should be [0-9a-f]{64} \(the mirror's list\) but is [0-9a-f]{64}/);
  t.ok(mirror.requests.includes('/7.8/amd64/SHA256'), 'the list was read from the mirror');
  noImageLeft(t, cache);
});

t.test('the same failures through buildBsdImage: corrupted set, and a set missing from the list', async (t) => {
  for (const [opts, pattern] of [
    [{ corrupt: 'comp78.tgz' }, /checksum mismatch for comp78\.tgz/],
    [{ unlisted: 'comp78.tgz' }, /no SHA256 entry for comp78\.tgz in http:\/\/127\.0\.0\.1:\d+\/7\.8\/amd64\/SHA256/],
  ] as const) {
    const mirror = await fakeMirror(opts);
    const cache = mkdtempSync(join(tmpdir(), 'pvc-build-'));
    process.env.PVCONFORM_SIGNIFY_KEYS = keys;
    const err = await buildBsdImage('openbsd-7.8', { mirror: mirror.url, cacheDir: cache, log: () => {} }).catch((e) => e);
    t.type(err, ChecksumError);
    t.match(err.message, pattern);
    noImageLeft(t, cache);
    await mirror.close();
    rmSync(cache, { recursive: true, force: true });
  }
});
