// The Linux reference guest as providers see it (a GuestImage), from the local cache: the
// newest entry, every file checked against its manifest before anything boots.
import { NoImageError, type GuestImage } from '../../harness/images/guest-image.ts';
import { findCachedImage, imageFiles, linuxRefCacheDir, type LinuxRefImageFiles } from './build.ts';
import { checkedManifest } from '../../harness/images/recipes/debian-cache-entry.ts';

export const LINUX_REF = 'linux-ref';
export const READY_MARKER = 'GUEST-READY';

/** The cached image, NoImageError when none is built, DamagedImageError (naming the file) when
 *  the newest one does not match its manifest or its pinned host key is unusable. */
export async function resolveLinuxRef(cacheDir = linuxRefCacheDir()): Promise<GuestImage & { files: LinuxRefImageFiles }> {
  const found = await findCachedImage(cacheDir);
  if (!found) throw new NoImageError(LINUX_REF, 'pvconform images build linux-ref');
  const manifest = await checkedManifest<{ kernelRelease: string }>(LINUX_REF, found.dir);
  const files = imageFiles(found.dir, found.key, String(manifest.kernelRelease));
  return {
    name: LINUX_REF,
    os: 'linux',
    release: files.kernelRelease,
    boot: { kind: 'kernel', kernel: files.kernel, initrd: files.initrd, append: 'console=ttyS0 panic=-1 quiet' },
    ssh: { user: 'root', privateKeyPath: files.clientKey, hostKey: manifest.hostKey },
    readyMarker: READY_MARKER,
    fallbackNic: 'vmxnet3',
    dataDiskBase: files.dataDisk,
    files,
  };
}
