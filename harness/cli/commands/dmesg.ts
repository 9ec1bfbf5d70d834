// `pvconform dmesg FILE [--json]`: read a saved boot log and show its attach tree.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseBootLog, UnrecognisedBootLog } from '../../bootlog/index.ts';
import { renderTree } from '../../bootlog/render-tree.ts';
import { describe, UsageError } from '../../core/errors.ts';

async function readLog(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read the boot log ${file}: ${describe(e)}. Give the path of a saved boot log (dmesg output, /var/run/dmesg.boot or a serial console log).`,
    );
  }
}

export function register(program: Command): void {
  program
    .command('dmesg')
    .description("Parse a guest's boot messages (OpenBSD, NetBSD, Linux) into its attach tree; only the last boot in the file counts")
    .argument('<file>', 'saved boot messages: dmesg output, /var/run/dmesg.boot or a serial console log')
    .option('--json', 'print the tree as JSON instead of an indented tree')
    .action(async (file: string, opts: { json?: boolean }) => {
      const text = await readLog(file);
      let tree;
      try {
        tree = parseBootLog(text);
      } catch (e) {
        if (e instanceof UnrecognisedBootLog)
          throw new UsageError(
            `${file} does not look like boot messages: ${e.message}. Give the output of dmesg from an OpenBSD, NetBSD or Linux guest.`,
          );
        throw e;
      }
      process.stdout.write(opts.json ? JSON.stringify(tree, null, 2) + '\n' : renderTree(tree));
    });
}
