// OpenBSD signify(1) signatures checked with Node's own Ed25519, so no extra tool is needed.
// Formats (signify(1)): a key or signature file is an "untrusted comment:" line, then base64 of
// the algorithm "Ed", an 8-byte key number, and the 32-byte public key or 64-byte signature.
// An embedded signature (-e, as SHA256.sig is) carries the signed text after those two lines.
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../../core/errors.ts';

interface Decoded {
  comment: string;
  keynum: Buffer;
  body: Buffer;
}

function decode(text: string, what: string, bodyLength: number): Decoded & { rest: string } {
  const lines = text.split('\n');
  if (!lines[0]?.startsWith('untrusted comment: ') || !lines[1])
    throw new InfraError(`${what} is not in signify format (no "untrusted comment:" line followed by base64)`);
  const raw = Buffer.from(lines[1].trim(), 'base64');
  if (raw.length !== 10 + bodyLength || raw.subarray(0, 2).toString('latin1') !== 'Ed')
    throw new InfraError(`${what} is not an Ed25519 signify ${bodyLength === 32 ? 'key' : 'signature'} (${raw.length} bytes)`);
  return { comment: lines[0].slice('untrusted comment: '.length), keynum: raw.subarray(2, 10), body: raw.subarray(10), rest: lines.slice(2).join('\n') };
}

export class SignatureError extends InfraError {
  override name = 'SignatureError';
}

/** Verifies an embedded signature (`signify -V -e`) and returns the signed text. */
export function verifyEmbedded(sigText: string, pubKeyText: string, names: { sig: string; key: string }): string {
  const sig = decode(sigText, names.sig, 64);
  const key = decode(pubKeyText, names.key, 32);
  if (!sig.keynum.equals(key.keynum))
    throw new SignatureError(`${names.sig} was signed with a different key than ${names.key} (key numbers differ); it says: "${sig.comment}"`);
  const message = Buffer.from(sig.rest, 'latin1');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.body.toString('base64url') }, format: 'jwk' });
  if (!verify(null, message, publicKey, sig.body)) throw new SignatureError(`signature check of ${names.sig} with ${names.key} failed: the list was altered or is not from OpenBSD`);
  return sig.rest;
}

/** The key file a signature names in its comment ("verify with openbsd-78-base.pub"). */
export function keyNameFromSignature(sigText: string): string | null {
  return /verify with (\S+\.pub)/.exec(sigText.split('\n')[0] ?? '')?.[1] ?? null;
}

/** Folders searched for release keys: $PVCONFORM_SIGNIFY_KEYS, Debian's signify-openbsd-keys,
 *  and an OpenBSD host's own /etc/signify. */
export function signifyKeyDirs(): string[] {
  return [process.env.PVCONFORM_SIGNIFY_KEYS, '/usr/share/signify-openbsd-keys', '/etc/signify'].filter((d): d is string => !!d);
}

export function findSignifyKey(name: string, dirs = signifyKeyDirs()): { path: string; text: string } | null {
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return { path: p, text: readFileSync(p, 'latin1') };
  }
  return null;
}
