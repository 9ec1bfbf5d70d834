// pvconform's command line. Each command lives in its own file under commands/ and registers
// itself on the program; this file only lists them and maps errors to exit codes.
import { Command } from 'commander';
import { UsageError, InfraError, describe } from '../core/errors.ts';
import { EXIT } from '../core/exit-codes.ts';

// One line per command; add yours here.
const commands: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import('./commands/dmesg.ts'),
  () => import('./commands/run.ts'),
  () => import('./commands/doctor.ts'),
  () => import('./commands/images.ts'),
  () => import('./commands/report.ts'),
  () => import('./commands/compare.ts'),
  () => import('./commands/merge.ts'),
  () => import('./commands/checks.ts'),
  () => import('./commands/history.ts'),
];

async function main(argv: string[]): Promise<number> {
  const program = new Command('pvconform')
    .description('Do the paravirtual drivers of each guest attach and behave as their manual pages promise, on each hypervisor?')
    .showHelpAfterError()
    .exitOverride();
  for (const load of commands) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    if (code?.startsWith('commander.')) return EXIT.usage;
    if (e instanceof UsageError) {
      process.stderr.write(`pvconform: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof InfraError) {
      process.stderr.write(`pvconform: environment error: ${e.message}\n`);
      return EXIT.infra;
    }
    process.stderr.write(`pvconform: internal error: ${e instanceof Error ? e.stack : describe(e)}\n`);
    return EXIT.infra;
  }
}

// Output piped into `head` and the like: a closed pipe ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv);
