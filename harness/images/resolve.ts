// Image name -> a bootable GuestImage from the local cache, or NoImageError saying how to build
// it, through the registered recipes (images/registry.ts).
import type { GuestImage } from './guest-image.ts';
import { UsageError } from '../core/errors.ts';
import { imageRecipes, recipeFor } from './registry.ts';

/** The guest image names a config may use, for messages. */
export function imageNameHelp(): string {
  const names = imageRecipes().filter((r) => r.resolve).map((r) => r.names);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names.join('');
}

export async function resolveImage(name: string): Promise<GuestImage> {
  const recipe = recipeFor(name);
  if (!recipe?.resolve) throw new UsageError(`unknown image "${name}". Fix: use ${imageNameHelp()}`);
  return recipe.resolve(name, {});
}

export function isKnownImageName(name: string): boolean {
  return !!recipeFor(name)?.resolve;
}
