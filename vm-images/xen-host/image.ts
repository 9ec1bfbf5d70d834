// The nested Xen host as the Xen provider boots it: where its files are and how to log in.
import { readFile } from 'node:fs/promises';
import { InfraError } from '../../harness/core/errors.ts';
import { findCachedXenHost, DEFAULT_CACHE, type XenHostFiles } from './build.ts';
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

/** The cached image, or an InfraError that says how to build it (a missing test host is the
 *  harness's problem, never the guest's). */
export async function resolveXenHost(cacheDir = DEFAULT_CACHE): Promise<XenHostImage> {
  const files = await findCachedXenHost(cacheDir);
  if (!files) throw new InfraError('the nested Xen host is not built. Fix: run `pvconform images build xen-host`');
  let hostKey: string;
  try {
    hostKey = (await readFile(files.hostKeyPub, 'utf8')).trim();
  } catch (e) {
    throw new InfraError(`the xen-host image in ${files.dir} is incomplete (${(e as Error).message}). Fix: run \`pvconform images build xen-host --force\``);
  }
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
