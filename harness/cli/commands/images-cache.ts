// `pvconform images list|verify|prune`, added to the `images` command that images.ts creates.
import type { Command } from 'commander';
import { defaultCacheDir } from '../../images/cache/entries.ts';
import { imagesList, imagesPrune, imagesVerify, type Report } from '../../images/cache/maintenance.ts';

function print(r: Report): void {
  process.stdout.write(r.text + '\n');
  if (r.exitCode !== 0) process.exitCode = r.exitCode;
}

export function registerImageCacheCommands(images: Command): void {
  const cacheOption = ['--cache <dir>', 'image cache folder', defaultCacheDir()] as const;
  images
    .command('list')
    .description('list cached guest images with their release, recipe version and build date')
    .option(...cacheOption)
    .action(async (o: { cache: string }) => print(await imagesList(o.cache)));
  images
    .command('verify [name]')
    .description("check every cached image's files against its manifest (sha256, size) and qemu-img check; exit 2 if any is damaged")
    .option(...cacheOption)
    .action(async (name: string | undefined, o: { cache: string }) => print(await imagesVerify(o.cache, name)));
  images
    .command('prune')
    .description('remove unfinished builds, damaged images and images superseded by a newer build')
    .option(...cacheOption)
    .option('--media', 'also remove downloads that no remaining image was built from')
    .option('--all', 'remove every cached image and download')
    .option('-n, --dry-run', 'only say what would be removed')
    .action(async (o: { cache: string; media?: boolean; all?: boolean; dryRun?: boolean }) =>
      print(await imagesPrune(o.cache, { media: o.media, all: o.all, dryRun: o.dryRun })),
    );
}
