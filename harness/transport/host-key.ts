// Pinned host keys are OpenSSH public-key lines; ssh2's hostVerifier hands us the raw blob.

export interface PublicKey {
  type: string;
  blob: Buffer;
}

export function parsePublicKeyLine(line: string): PublicKey {
  const parts = line.trim().split(/\s+/);
  // Accept known_hosts form ("host ssh-ed25519 AAAA") as well as a bare .pub line.
  const at = parts.findIndex((p) => p.startsWith('ssh-') || p.startsWith('ecdsa-'));
  if (at < 0 || !parts[at + 1]) throw new Error(`not an OpenSSH public key line: ${line.slice(0, 60)}`);
  return { type: parts[at], blob: Buffer.from(parts[at + 1], 'base64') };
}
