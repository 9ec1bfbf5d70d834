// OpenBSD releases as image recipes: `openbsd-<release>`, installed from a mirror's media and
// cached, verified before each use (harness/images/recipes/bsd-images.ts).
import { registerImage } from '../../harness/images/registry.ts';
import { resolveBsdImage } from '../../harness/images/recipes/bsd-images.ts';
import { buildOpenbsd, OPENBSD_RECIPE_VERSION } from './build.ts';
import { DEFAULT_OPENBSD_MIRROR, parseOpenbsdName } from './release.ts';

registerImage({
  names: 'openbsd-<release> (e.g. openbsd-7.8)',
  matches: (name) => /^openbsd-\d+\.\d+$/.test(name),
  recipeVersion: OPENBSD_RECIPE_VERSION,
  checkName: (name) => void parseOpenbsdName(name),
  resolve: (name, opts) => resolveBsdImage(name, opts),
  mediaSource: () => DEFAULT_OPENBSD_MIRROR,
  build: (name, opts) => buildOpenbsd(name, opts),
});
