// An OpenBSD release as the mirrors lay it out: <mirror>/<release>/<arch>/ holds the boot media,
// the sets (base78.tgz...), SHA256 and SHA256.sig.
import { UsageError } from '../../harness/core/errors.ts';

export const DEFAULT_OPENBSD_MIRROR = 'https://cdn.openbsd.org/pub/OpenBSD/';
export const OPENBSD_MIRROR_EXAMPLE = DEFAULT_OPENBSD_MIRROR;

export interface OpenbsdRelease {
  /** `openbsd-7.8` */
  name: string;
  /** `7.8` */
  release: string;
  /** `78`, as in base78.tgz */
  short: string;
  arch: 'amd64';
}

export function parseOpenbsdName(name: string): OpenbsdRelease {
  const m = /^openbsd-(\d+)\.(\d)$/.exec(name);
  if (!m) throw new UsageError(`image name "${name}" is not openbsd-<major>.<minor>. Fix: e.g. openbsd-7.8`);
  return { name, release: `${m[1]}.${m[2]}`, short: `${m[1]}${m[2]}`, arch: 'amd64' };
}

/** The release folder on a mirror (which must end in '/'). */
export function releaseUrl(mirror: string, r: OpenbsdRelease): string {
  return `${mirror}${r.release}/${r.arch}/`;
}

/** What the build fetches. The miniroot is a small disk image that boots bsd.rd (the installer);
 *  the sets are what gets installed: kernels, base, and comp for the probe's compiler. */
export function openbsdMedia(r: OpenbsdRelease): { boot: string; sets: string[]; alsoServed: string[] } {
  return {
    boot: `miniroot${r.short}.img`,
    sets: ['bsd', 'bsd.mp', 'bsd.rd', `base${r.short}.tgz`, `comp${r.short}.tgz`],
    // The installer looks for INSTALL.<arch> in the set folder and asks if it is missing.
    alsoServed: [`INSTALL.${r.arch}`],
  };
}

/** The signify key that signs this release's SHA256 ("openbsd-78-base.pub"). */
export function baseKeyName(r: OpenbsdRelease): string {
  return `openbsd-${r.short}-base.pub`;
}
