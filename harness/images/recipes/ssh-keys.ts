// The harness's key pair for an image: made with ssh-keygen in the image folder, so every cell
// booted from the image logs in with it.
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../core/errors.ts';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
  /** The one-line public key ("ssh-ed25519 AAAA... comment"). */
  publicLine: string;
}

export async function makeKeyPair(dir: string, comment: string, name = 'id_ed25519'): Promise<KeyPair> {
  const privateKey = join(dir, name);
  try {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privateKey], { timeout: 30_000 });
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new InfraError('ssh-keygen not found. Fix: apt-get install openssh-client');
    throw new InfraError(`ssh-keygen failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
  const publicKey = `${privateKey}.pub`;
  return { privateKey, publicKey, publicLine: (await readFile(publicKey, 'utf8')).trim() };
}
