// The Linux reference guest as an image recipe: built from Debian packages in its own cache
// folder (the build ignores --mirror and the BSD cache root), resolved for every cell that
// names it, and doctor's lines for the tools its build needs.
import { registerImage } from '../../harness/images/registry.ts';
import { toolsOnPath } from '../../harness/core/host-tools.ts';
import { buildLinuxRef, findCachedImage } from './build.ts';
import { LINUX_REF, resolveLinuxRef } from './image.ts';

registerImage({
  names: LINUX_REF,
  matches: (name) => name === LINUX_REF,
  resolve: () => resolveLinuxRef(),
  build: (_name, opts) => buildLinuxRef({ force: opts.force, log: opts.log }),
  checkHost: async () => {
    const image = await findCachedImage();
    return [
      { what: 'linux-ref image', ok: image !== null, optional: true, detail: image ? `${image.dir} (kernel ${image.kernelRelease})` : 'not built. Fix: pvconform images build linux-ref' },
      ...(await toolsOnPath([['apt-get', 'apt'], ['dpkg-deb', 'dpkg'], ['cpio', 'cpio'], ['ssh-keygen', 'openssh-client'], ['gzip', 'gzip']])),
    ];
  },
});
