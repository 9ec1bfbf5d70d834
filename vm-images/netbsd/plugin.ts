// NetBSD releases as image recipes: `netbsd-<release>`, made from the release's live image and
// cached, verified before each use (harness/images/recipes/bsd-images.ts).
import { registerImage } from '../../harness/images/registry.ts';
import { resolveBsdImage } from '../../harness/images/recipes/bsd-images.ts';
import { buildNetbsd, NETBSD_RECIPE_VERSION } from './build.ts';
import { DEFAULT_NETBSD_MIRROR, parseNetbsdName } from './release.ts';

registerImage({
  names: 'netbsd-<release> (e.g. netbsd-10.1)',
  matches: (name) => /^netbsd-\d+\.\d+$/.test(name),
  recipeVersion: NETBSD_RECIPE_VERSION,
  checkName: (name) => void parseNetbsdName(name),
  resolve: (name, opts) => resolveBsdImage(name, opts),
  mediaSource: () => DEFAULT_NETBSD_MIRROR,
  build: (name, opts) => buildNetbsd(name, opts),
});
