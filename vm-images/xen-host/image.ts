// The nested Xen host as the Xen provider boots it: where its files are and how to log in,
// from the newest cache entry, every file checked against its manifest first.
import { InfraError } from '../../harness/core/errors.ts';
import { findCachedXenHost, xenHostCacheDir, type XenHostFiles } from './build.ts';
import { checkedManifest } from '../../harness/images/recipes/debian-cache-entry.ts';
import * as recipe from './recipe.ts';

export const XEN_HOST = 'xen-host';

export interface XenHostImage {
  files: XenHostFiles;
  /** Pinned dom0 host key line. */
  hostKey: string;
  user: 'root';
  xenArgs: string;
  dom0Args: string;
  memoryMiB: number;
  cpus: number;
  cpu: string;
  readyMarker: string;
}

/** The cached image, an InfraError that says how to build it (a missing test host is the
 *  harness's problem, never the guest's), or DamagedImageError naming the damaged file. */
export async function resolveXenHost(cacheDir = xenHostCacheDir()): Promise<XenHostImage> {
  const files = await findCachedXenHost(cacheDir);
  if (!files) throw new InfraError('the nested Xen host is not built. Fix: run `pvconform images build xen-host`');
  const { hostKey } = await checkedManifest(XEN_HOST, files.dir);
  return {
    files,
    hostKey,
    user: 'root',
    xenArgs: recipe.XEN_ARGS,
    dom0Args: recipe.DOM0_ARGS,
    memoryMiB: recipe.MACHINE_MEMORY_MIB,
    cpus: recipe.MACHINE_CPUS,
    cpu: recipe.QEMU_CPU,
    readyMarker: recipe.READY_MARKER,
  };
}
