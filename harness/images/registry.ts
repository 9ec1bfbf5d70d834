// The image recipes pvconform can build and boot, registered from their folders under vm-images/
// (vm-images/index.ts lists them). Nothing here names one: the names a config may use, the
// build command's choices and doctor's image lines all come from what is registered.
import type { GuestImage } from './guest-image.ts';
import type { HostFinding } from '../core/host-finding.ts';

export interface ImageBuildOptions {
  /** Where to download install media from (recipes that download). */
  mirror?: string;
  cacheDir: string;
  log(message: string): void;
  force?: boolean;
}

export interface ImageRecipe {
  /** How its names look, for messages: 'linux-ref', 'openbsd-<release> (e.g. openbsd-7.8)'. */
  names: string;
  matches(name: string): boolean;
  /** The recipe version this pvconform builds; a cached image made by another is not used. */
  recipeVersion?: number;
  /** Throws UsageError for a name of this recipe that is malformed (an unknown release...). */
  checkName?(name: string): void;
  /** The cached image as providers boot it; absent for an image that is not a guest (the
   *  nested Xen host). Throws NoImageError when it is not built. */
  resolve?(name: string, opts: { cacheDir?: string }): Promise<GuestImage>;
  /** Builds it into the cache, or finds it built. */
  build(name: string, opts: ImageBuildOptions): Promise<{ dir: string; reused?: boolean }>;
  /** This host's readiness to build or boot it, for `pvconform doctor`. */
  checkHost?(): Promise<HostFinding[]>;
  /** Where its build downloads media from, for `doctor --config` to say whether it answers. */
  mediaSource?(name: string): string;
}

const recipes: ImageRecipe[] = [];

export function registerImage(recipe: ImageRecipe): void {
  recipes.push(recipe);
}

/** Removes a recipe (tests that register a throwaway one). */
export function unregisterImage(recipe: ImageRecipe): void {
  const i = recipes.indexOf(recipe);
  if (i >= 0) recipes.splice(i, 1);
}

export function imageRecipes(): ImageRecipe[] {
  return [...recipes];
}

export function recipeFor(name: string): ImageRecipe | undefined {
  return recipes.find((r) => r.matches(name));
}
