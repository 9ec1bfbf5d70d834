// TEST ONLY: the throwaway OS's one image, `throwaway-1`: a login key made on first use.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { GuestImage } from '../../../harness/images/guest-image.ts';
import { removeOnCleanup } from '../../../harness/core/cleanup.ts';

let made: GuestImage | null = null;

export function throwawayImage(): GuestImage {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-throwaway-'));
  removeOnCleanup(dir);
  const key = ssh2.utils.generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'id'), key.private, { mode: 0o600 });
  made = {
    name: 'throwaway-1',
    os: 'throwaway-os',
    release: '1',
    boot: { kind: 'disk', disk: '/dev/null', format: 'raw' },
    ssh: { user: 'nobody', privateKeyPath: join(dir, 'id'), hostKey: '' },
  };
  return made;
}
