// Pinned host keys are OpenSSH public-key lines; ssh2's hostVerifier hands us the raw blob.
// A pin is read strictly: an empty or garbled one must never reach the SSH layer, where it
// would either turn host-key checking off or fail every attempt until the deadline.
import { TrustError } from '../core/errors.ts';

export interface PublicKey {
  type: string;
  blob: Buffer;
}

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why `line` is not a usable OpenSSH public key line, or null when it is. Checks what a
 *  flipped byte breaks: the type, the base64, and the blob's own copy of the type (RFC 4253
 *  6.6), plus the exact length of an Ed25519 key. */
export function hostKeyProblem(line: string): string | null {
  if (line.trim() === '') return 'it is empty';
  const parts = line.trim().split(/\s+/);
  // known_hosts form ("host ssh-ed25519 AAAA") as well as a bare .pub line.
  const at = parts.findIndex((p) => KEY_TYPES.has(p));
  if (at < 0) return `no key type (one of ${[...KEY_TYPES].join(', ')}) in "${line.trim().slice(0, 40)}"`;
  const type = parts[at];
  const b64 = parts[at + 1];
  if (!b64) return `no key after "${type}"`;
  if (!BASE64.test(b64)) return `the key after "${type}" is not base64`;
  const blob = Buffer.from(b64, 'base64');
  const nameLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (nameLength !== type.length || blob.subarray(4, 4 + nameLength).toString('latin1') !== type)
    return `the key's encoded type does not say "${type}" (garbled)`;
  if (type === 'ssh-ed25519' && (blob.length !== 4 + type.length + 4 + 32 || blob.readUInt32BE(4 + type.length) !== 32))
    return `an ssh-ed25519 key is 51 bytes, this one ${blob.length} (garbled)`;
  return null;
}

/** The key of a valid line; throws on any line hostKeyProblem refuses. */
export function parsePublicKeyLine(line: string): PublicKey {
  const problem = hostKeyProblem(line);
  if (problem) throw new TrustError(`not a usable OpenSSH public key line: ${problem}`);
  const parts = line.trim().split(/\s+/);
  const at = parts.findIndex((p) => KEY_TYPES.has(p));
  return { type: parts[at], blob: Buffer.from(parts[at + 1], 'base64') };
}

/** The endpoint's pinned key. null only when the endpoint says so explicitly (hostKey: null);
 *  an empty or garbled pin is a trust failure at once, never "no checking". */
export function pinnedHostKey(
  endpoint: { host: string; port: number; hostKey: string | null },
  makeError: (message: string) => Error = (m) => new TrustError(m),
): PublicKey | null {
  if (endpoint.hostKey === null) return null;
  const problem = hostKeyProblem(endpoint.hostKey);
  if (problem) throw makeError(`the pinned host key for ${endpoint.host}:${endpoint.port} is unusable (${problem}); refusing to connect without checking the host`);
  return parsePublicKeyLine(endpoint.hostKey);
}
