// pvconform images build <name>: make a guest image and cache it.
import type { Command } from 'commander';
import { buildLinuxRef } from '../../../vm-images/linux-ref/build.ts';
import { buildXenHost } from '../../../vm-images/xen-host/build.ts';
import { UsageError } from '../../core/errors.ts';
import { IMAGE_NAME_HELP } from '../../images/resolve.ts';
import { buildBsdImage, isBsdImageName } from '../../images/recipes/bsd-images.ts';
import { defaultCacheDir } from '../../images/cache/entries.ts';
import { registerImageCacheCommands } from './images-cache.ts';

export function register(program: Command): void {
  const images = program.command('images').description('build and manage guest images');
  images
    .command('build <name>')
    .description(`build a guest image: ${IMAGE_NAME_HELP}`)
    .option('--force', 'rebuild even when cached')
    .option('--mirror <url>', 'OpenBSD/NetBSD mirror to download from')
    .action(async (name: string, opts: { force?: boolean; mirror?: string }) => {
      const log = (m: string) => process.stderr.write(`${m}\n`);
      if (name === 'linux-ref') {
        const t = Date.now();
        const files = await buildLinuxRef({ force: opts.force, log });
        process.stdout.write(`${files.dir}\n`);
        log(`done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        return;
      }
      if (name === 'xen-host') {
        // Not a guest: the nested Xen host the xen provider boots for `host: nested`.
        const t = Date.now();
        const files = await buildXenHost({ force: opts.force, log });
        process.stdout.write(`${files.dir}\n`);
        log(`done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        return;
      }
      if (isBsdImageName(name)) {
        // Needs the release's install media from a mirror: runs where the network reaches one.
        const t = Date.now();
        const built = await buildBsdImage(name, { mirror: opts.mirror, cacheDir: defaultCacheDir(), log, force: opts.force });
        process.stdout.write(`${built.dir}\n`);
        log(`${built.reused ? 'already cached' : 'built'}; done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        return;
      }
      throw new UsageError(`images build ${name}: unknown image. Fix: use ${IMAGE_NAME_HELP}, or xen-host for the nested Xen test host`);
    });
  registerImageCacheCommands(images);
}
