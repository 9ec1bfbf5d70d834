// The nested Xen host as an image recipe: built like linux-ref from Debian packages; not a guest
// (no resolve), the xen provider boots it for `host: nested`.
import { registerImage } from '../../harness/images/registry.ts';
import { buildXenHost } from './build.ts';

registerImage({
  names: 'xen-host',
  matches: (name) => name === 'xen-host',
  build: (_name, opts) => buildXenHost({ force: opts.force, log: opts.log }),
});
