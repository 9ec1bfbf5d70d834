// Checksum lists and signify signatures: good, bad, missing entry; signatures made by the real
// signify-openbsd (Debian package) where it is installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { checksumFor, ChecksumError, parseChecksumList } from '../../harness/images/cache/checksum-list.ts';
import { findSignifyKey, keyNameFromSignature, SignatureError, verifyEmbedded } from '../../harness/images/cache/signify.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

t.test('parsing the BSD list format', async (t) => {
  const list = parseChecksumList(
    [`SHA256 (base78.tgz) = ${A}`, `SHA256 (comp78.tgz) = ${B.toUpperCase()}`, 'MD5 (x) = 00', `SHA256 (short) = abc`, 'junk', `SHA512 (NetBSD-10.1-amd64-live.img.gz) = ${'c'.repeat(128)}`, ''].join('\r\n'),
  );
  t.same(list.map((e) => [e.algorithm, e.file, e.hex.slice(0, 3)]), [['sha256', 'base78.tgz', 'aaa'], ['sha256', 'comp78.tgz', 'bbb'], ['sha512', 'NetBSD-10.1-amd64-live.img.gz', 'ccc']]);
});

t.test('looking an entry up: present, missing, contradictory', async (t) => {
  const list = parseChecksumList(`SHA256 (bsd) = ${A}\nSHA256 (dup) = ${A}\nSHA256 (dup) = ${B}\n`);
  t.equal(checksumFor(list, 'bsd', 'sha256', 'http://m/SHA256').hex, A);
  t.throws(() => checksumFor(list, 'comp78.tgz', 'sha256', 'http://m/SHA256'), ChecksumError);
  t.throws(() => checksumFor(list, 'comp78.tgz', 'sha256', 'http://m/SHA256'), /no SHA256 entry for comp78\.tgz in http:\/\/m\/SHA256/);
  t.throws(() => checksumFor(list, 'bsd', 'sha512', 'u'), /no SHA512 entry/, 'another algorithm does not count');
  t.throws(() => checksumFor(list, 'dup', 'sha256', 'u'), /twice with different/);
});

const signify = ['signify-openbsd', 'signify'].find((b) => {
  try {
    execFileSync(b, [], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return (e as { code?: string }).code !== 'ENOENT';
  }
});

t.test('signify signatures, made by the real tool', { skip: signify ? false : 'signify-openbsd is not installed (apt-get install signify-openbsd)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvc-signify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => execFileSync(signify!, args, { cwd: dir, stdio: 'pipe' });
  run('-G', '-n', '-c', 'test key', '-p', 'openbsd-78-base.pub', '-s', 'openbsd-78-base.sec');
  run('-G', '-n', '-p', 'other.pub', '-s', 'other.sec');
  const list = `SHA256 (bsd) = ${A}\nSHA256 (base78.tgz) = ${B}\n`;
  writeFileSync(join(dir, 'SHA256'), list);
  run('-S', '-e', '-s', 'openbsd-78-base.sec', '-m', 'SHA256', '-x', 'SHA256.sig');
  const sig = readFileSync(join(dir, 'SHA256.sig'), 'latin1');
  const pub = readFileSync(join(dir, 'openbsd-78-base.pub'), 'latin1');
  const names = { sig: 'SHA256.sig', key: 'openbsd-78-base.pub' };

  t.equal(verifyEmbedded(sig, pub, names), list, 'a good signature gives back the signed list');
  t.equal(keyNameFromSignature(sig), 'openbsd-78-base.pub', 'the signature names its key');
  const tampered = sig.replace(A, B.slice(0, 63) + '0');
  t.throws(() => verifyEmbedded(tampered, pub, names), SignatureError, 'an altered list fails');
  t.throws(() => verifyEmbedded(sig, readFileSync(join(dir, 'other.pub'), 'latin1'), names), /different key/, 'another key fails');
  t.throws(() => verifyEmbedded('garbage', pub, names), /not in signify format/);
  // Cross-check the other way: the real tool accepts what we accept.
  t.doesNotThrow(() => run('-V', '-e', '-p', 'openbsd-78-base.pub', '-x', 'SHA256.sig', '-m', '/dev/null'));
  t.same(findSignifyKey('openbsd-78-base.pub', [join(dir, 'nowhere'), dir])?.path, join(dir, 'openbsd-78-base.pub'), 'keys are found in the listed folders');
  t.equal(findSignifyKey('openbsd-99-base.pub', [dir]), null);
});

t.test("Debian's release keys verify as keys", { skip: existsSync('/usr/share/signify-openbsd-keys/openbsd-73-base.pub') ? false : 'signify-openbsd-keys not installed' }, async (t) => {
  const key = findSignifyKey('openbsd-73-base.pub');
  t.ok(key, 'found in /usr/share/signify-openbsd-keys');
  t.throws(() => verifyEmbedded('untrusted comment: x\nRWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n', key!.text, { sig: 's', key: 'k' }), /different key|failed|not an Ed25519/);
});
