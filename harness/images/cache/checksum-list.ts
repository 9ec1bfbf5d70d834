// A release's checksum list in the BSD format both projects publish
// (`SHA256 (base78.tgz) = 3f2a...`, `SHA512 (NetBSD-10.1-amd64-live.img.gz) = ...`).
import { InfraError } from '../../core/errors.ts';

export type HashAlgorithm = 'sha256' | 'sha512';

export interface ChecksumEntry {
  algorithm: HashAlgorithm;
  file: string;
  hex: string;
}

const LINE = /^(SHA256|SHA512) \((.+)\) = ([0-9a-fA-F]+)$/;
const HEX_LENGTH: Record<HashAlgorithm, number> = { sha256: 64, sha512: 128 };

/** Parses every well-formed line; lines of other algorithms and junk are ignored. */
export function parseChecksumList(text: string): ChecksumEntry[] {
  const out: ChecksumEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const algorithm = m[1].toLowerCase() as HashAlgorithm;
    if (m[3].length !== HEX_LENGTH[algorithm]) continue;
    out.push({ algorithm, file: m[2], hex: m[3].toLowerCase() });
  }
  return out;
}

export class ChecksumError extends InfraError {
  override name = 'ChecksumError';
}

/** The entry for `file`, or a ChecksumError that names the list and the file. */
export function checksumFor(entries: ChecksumEntry[], file: string, algorithm: HashAlgorithm, listUrl: string): ChecksumEntry {
  const found = entries.filter((e) => e.file === file && e.algorithm === algorithm);
  if (found.length === 0)
    throw new ChecksumError(
      `no ${algorithm.toUpperCase()} entry for ${file} in ${listUrl}: the mirror does not vouch for this file, so it is not used. ` +
        `Fix: check the release name, or use another --mirror`,
    );
  if (new Set(found.map((e) => e.hex)).size > 1)
    throw new ChecksumError(`${listUrl} lists ${file} twice with different ${algorithm.toUpperCase()} values; refusing to guess`);
  return found[0];
}
