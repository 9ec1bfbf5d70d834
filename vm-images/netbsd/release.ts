// A NetBSD release as the mirrors lay it out: <mirror>/NetBSD-<release>/images/ holds the
// install and live images with SHA512 and MD5 lists.
import { UsageError } from '../../harness/core/errors.ts';

export const DEFAULT_NETBSD_MIRROR = 'https://cdn.netbsd.org/pub/NetBSD/';

export interface NetbsdRelease {
  /** `netbsd-10.1` */
  name: string;
  /** `10.1` */
  release: string;
  arch: 'amd64';
}

export function parseNetbsdName(name: string): NetbsdRelease {
  const m = /^netbsd-(\d+\.\d+)$/.exec(name);
  if (!m) throw new UsageError(`image name "${name}" is not netbsd-<major>.<minor>. Fix: e.g. netbsd-10.1`);
  return { name, release: m[1], arch: 'amd64' };
}

export function imagesUrl(mirror: string, r: NetbsdRelease): string {
  return `${mirror}NetBSD-${r.release}/images/`;
}

/** The official live image: a complete installed system (base, comp, etc...) on one disk. */
export function liveImageName(r: NetbsdRelease): string {
  return `NetBSD-${r.release}-${r.arch}-live.img.gz`;
}
