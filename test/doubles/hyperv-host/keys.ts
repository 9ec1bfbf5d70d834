// Throw-away SSH keys for the doubles, made at test time in a temp dir that the test removes.
import ssh2 from 'ssh2';
const { utils } = ssh2;
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  /** OpenSSH private key text. */
  private: string;
  /** One OpenSSH public-key line. */
  public: string;
  /** Where the private key was written (mode 0600). */
  path: string;
}

export interface KeyDir {
  dir: string;
  make(name: string): Promise<KeyPair>;
  remove(): Promise<void>;
}

export async function keyDir(): Promise<KeyDir> {
  const dir = await mkdtemp(join(tmpdir(), 'pvconform-hyperv-keys-'));
  return {
    dir,
    async make(name) {
      const k = ed25519Pair();
      const path = join(dir, name);
      await writeFile(path, k.private, { mode: 0o600 });
      return { private: k.private, public: k.public.trim(), path };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** ssh2's generator sometimes (about 1 in 200) writes an ed25519 key whose public half lost a
 *  leading zero byte, which ssh2 itself then refuses to parse; draw again until both halves parse. */
function ed25519Pair(): { private: string; public: string } {
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(k.public) instanceof Error) && !(utils.parseKey(k.private) instanceof Error)) return k;
  }
}
