// The nested Xen host as an image recipe: built like linux-ref from Debian packages; not a guest
// (no resolve), the xen provider boots it for `host: nested`.
import { registerImage } from '../../harness/images/registry.ts';
import { buildXenHost } from './build.ts';
import { XEN_HOST } from './image.ts';

registerImage({
  names: XEN_HOST,
  matches: (name) => name === XEN_HOST,
  build: (_name, opts) => buildXenHost({ force: opts.force, log: opts.log }),
});
