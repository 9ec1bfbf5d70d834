// Image name -> a bootable GuestImage from the local cache, or NoImageError saying how to build it.
import type { GuestImage } from './guest-image.ts';
import { UsageError } from '../core/errors.ts';
import { resolveLinuxRef, LINUX_REF } from '../../vm-images/linux-ref/image.ts';
import { isBsdImageName, resolveBsdImage } from './recipes/bsd-images.ts';

export const IMAGE_NAME_HELP = 'linux-ref, openbsd-<release> (e.g. openbsd-7.8) or netbsd-<release> (e.g. netbsd-10.1)';

export async function resolveImage(name: string): Promise<GuestImage> {
  if (name === LINUX_REF) return resolveLinuxRef();
  if (isBsdImageName(name)) return resolveBsdImage(name);
  throw new UsageError(`unknown image "${name}". Fix: use ${IMAGE_NAME_HELP}`);
}

export function isKnownImageName(name: string): boolean {
  return name === LINUX_REF || isBsdImageName(name);
}
