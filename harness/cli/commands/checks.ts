// `pvconform checks [--json] [--suite NAME]`: every check pvconform knows, with the sentence (or
// the source fact) it holds the guest to, what it requires, and which guests it applies to.
import type { Command } from 'commander';
import type { Check, Requirements } from '../../core/checks.ts';
import type { Citation } from '../../core/results.ts';
import { UsageError } from '../../core/errors.ts';
import { allChecks } from '../../suites/catalog.ts';

/** A check as `pvconform checks` shows it: everything but its code. */
export type CheckListing = Omit<Check, 'run'>;

export function listing(check: Check): CheckListing {
  const { run: _run, ...rest } = check;
  return { ...rest, os: [...check.os] };
}

export function describeRequirements(r: Requirements): string {
  const parts = [
    r.families?.length ? `hypervisor ${r.families.join('|')}` : null,
    r.interfaces?.length ? `interfaces ${r.interfaces.join(', ')}` : null,
    r.virtio?.length ? `virtio ${r.virtio.join(', ')}` : null,
    r.kvStore ? `store ${r.kvStore}` : null,
    r.hostKv ? 'host-side key/value access' : null,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'none';
}

export function describeCitation(c: Citation): string {
  return c.kind === 'man' ? `${c.page}: "${c.sentence}"` : `source fact (${c.where}): ${c.fact}`;
}

export function renderText(checks: CheckListing[]): string {
  const lines: string[] = [];
  let suite = '';
  for (const c of checks) {
    if (c.suite !== suite) {
      suite = c.suite;
      lines.push(`${lines.length ? '\n' : ''}${suite}`);
    }
    lines.push(`  ${c.id}  [${c.os.join(', ')}]`);
    lines.push(`    ${c.title}`);
    lines.push(`    cites:    ${describeCitation(c.citation)}`);
    lines.push(`    requires: ${describeRequirements(c.requires)}`);
    if (c.expected) for (const [where, what] of Object.entries(c.expected)) lines.push(`    expect ${where}: ${what}`);
  }
  const suites = new Set(checks.map((c) => c.suite)).size;
  lines.push('', `${checks.length} check${checks.length === 1 ? '' : 's'} in ${suites} suite${suites === 1 ? '' : 's'}`);
  return lines.join('\n') + '\n';
}

export function selectSuite(checks: CheckListing[], suite: string | undefined): CheckListing[] {
  if (!suite) return checks;
  const chosen = checks.filter((c) => c.suite === suite);
  if (chosen.length === 0) {
    const known = [...new Set(checks.map((c) => c.suite))].join(', ');
    throw new UsageError(`--suite ${suite}: no such suite. Known suites: ${known}.`);
  }
  return chosen;
}

export function register(program: Command): void {
  program
    .command('checks')
    .description('List every check: id, suite, the manual sentence or source fact it cites, requirements, guest OSes')
    .option('--json', 'print a JSON array instead of text')
    .option('--suite <name>', 'only this suite (e.g. pvbus.4)')
    .action(async (opts: { json?: boolean; suite?: string }) => {
      const checks = selectSuite((await allChecks()).map(listing), opts.suite);
      process.stdout.write(opts.json ? JSON.stringify(checks, null, 2) + '\n' : renderText(checks));
    });
}
