// pvconform images build <name>: make a guest image and cache it.
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { imageNameHelp } from '../../images/resolve.ts';
import { imageRecipes, recipeFor } from '../../images/registry.ts';
import '../../../vm-images/index.ts';
import { defaultCacheDir } from '../../images/cache/entries.ts';
import { registerImageCacheCommands } from './images-cache.ts';

/** Images that are built but not booted as guests (the nested Xen host), for messages. */
function hostImages(): string {
  const names = imageRecipes().filter((r) => !r.resolve).map((r) => r.names);
  return names.length ? `, or ${names.join(', ')} (not a guest: a host the provider boots)` : '';
}

export function register(program: Command): void {
  const images = program.command('images').description('build and manage guest images');
  images
    .command('build <name>')
    .description(`build a guest image: ${imageNameHelp()}${hostImages()}`)
    .option('--force', 'rebuild even when cached')
    .option('--mirror <url>', 'OpenBSD/NetBSD mirror to download from')
    .action(async (name: string, opts: { force?: boolean; mirror?: string }) => {
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const recipe = recipeFor(name);
      if (!recipe) throw new UsageError(`images build ${name}: unknown image. Fix: use ${imageNameHelp()}${hostImages()}`);
      recipe.checkName?.(name);
      // A BSD recipe needs the release's install media from a mirror: it runs where the network reaches one.
      const t = Date.now();
      const built = await recipe.build(name, { mirror: opts.mirror, cacheDir: defaultCacheDir(), log, force: opts.force });
      process.stdout.write(`${built.dir}\n`);
      const how = built.reused === undefined ? '' : built.reused ? 'already cached; ' : 'built; ';
      log(`${how}done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    });
  registerImageCacheCommands(images);
}
