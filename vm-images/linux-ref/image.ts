// The Linux reference guest as providers see it (a GuestImage), from the local cache.
import { readFile } from 'node:fs/promises';
import { NoImageError, type GuestImage } from '../../harness/images/guest-image.ts';
import { findCachedImage, DEFAULT_CACHE, type LinuxRefImageFiles } from './build.ts';

export const LINUX_REF = 'linux-ref';
export const READY_MARKER = 'GUEST-READY';

export async function resolveLinuxRef(cacheDir = DEFAULT_CACHE): Promise<GuestImage & { files: LinuxRefImageFiles }> {
  const files = await findCachedImage(cacheDir);
  if (!files) throw new NoImageError(LINUX_REF, 'pvconform images build linux-ref');
  const hostKey = (await readFile(files.hostKeyPub, 'utf8')).trim();
  return {
    name: LINUX_REF,
    os: 'linux',
    release: files.kernelRelease,
    boot: { kind: 'kernel', kernel: files.kernel, initrd: files.initrd, append: 'console=ttyS0 panic=-1 quiet' },
    ssh: { user: 'root', privateKeyPath: files.clientKey, hostKey },
    readyMarker: READY_MARKER,
    fallbackNic: 'vmxnet3',
    dataDiskBase: files.dataDisk,
    files,
  };
}
