// config -> plan of cells: every guest x hypervisor config, with the checks each will run,
// narrowed by the command-line filters. The plan's hash names it, so shards of one plan can be
// recognised and merged.
import { createHash } from 'node:crypto';
import type { GuestConfig, HypervisorConfig, MatrixConfig } from '../config/schema.ts';
import type { Check } from '../core/checks.ts';
import { UsageError } from '../core/errors.ts';
import { suiteChecks, suiteNames } from '../suites/catalog.ts';
import { imageNameHelp, isKnownImageName } from '../images/resolve.ts';
import '../../vm-images/index.ts';
import { providerPlugin } from '../providers/registry.ts';

export interface Cell {
  /** `<guest>@<hypervisor>` */
  id: string;
  guest: GuestConfig;
  hypervisor: HypervisorConfig;
  suites: string[];
  checks: Check[];
}

export interface Filters {
  guest?: string[];
  hypervisor?: string[];
  suite?: string[];
  check?: string[];
}

export interface Plan {
  hash: string;
  source: string;
  cells: Cell[];
  checkIds: string[];
}

/** `virtio.4/entropy`, `virtio.4/*`, `virtio.4` (whole suite) all select checks. */
export function matchesCheck(id: string, pattern: string): boolean {
  if (pattern === id) return true;
  if (pattern.endsWith('/*')) return id.startsWith(pattern.slice(0, -1));
  if (!pattern.includes('/')) return id.startsWith(`${pattern}/`);
  return false;
}

export async function makePlan(config: MatrixConfig, source: string, filters: Filters = {}): Promise<Plan> {
  for (const s of config.suites)
    if (!suiteNames().includes(s))
      throw new UsageError(`${source}: field suites: unknown suite "${s}". Fix: use one of ${suiteNames().join(', ')}`);
  config.guests.forEach((g, i) => {
    const image = g.image ?? g.name;
    if (!isKnownImageName(image))
      throw new UsageError(`${source}: field guests[${i}].${g.image ? 'image' : 'name'}: unknown image "${image}". Fix: use ${imageNameHelp()}, or set guests[${i}].image to one of them`);
  });
  // Provider-specific refusals that need no host (hyperv(4): no Generation 2), before anything boots.
  for (const h of config.hypervisors) providerPlugin(h.provider).checkConfig?.(h);
  const pick = <T extends { name: string }>(list: T[], wanted: string[] | undefined, what: string): T[] => {
    if (wanted === undefined) return list;
    if (wanted.length === 0) throw new UsageError(`--${what}: no name given. Fix: use one of ${list.map((x) => x.name).join(', ')}, or leave --${what} out`);
    for (const w of wanted)
      if (!list.some((x) => x.name === w))
        throw new UsageError(`--${what} ${w}: no such ${what} in ${source}. Fix: use one of ${list.map((x) => x.name).join(', ')}`);
    return list.filter((x) => wanted.includes(x.name));
  };
  const guests = pick(config.guests, filters.guest, 'guest');
  const hypervisors = pick(config.hypervisors, filters.hypervisor, 'hypervisor');
  let suites = config.suites;
  if (filters.suite?.length === 0) throw new UsageError(`--suite: no name given. Fix: use one of ${suites.join(', ')}, or leave --suite out`);
  if (filters.suite?.length) {
    for (const s of filters.suite)
      if (!suites.includes(s)) throw new UsageError(`--suite ${s}: not in ${source}'s suites. Fix: use one of ${suites.join(', ')}`);
    suites = suites.filter((s) => filters.suite!.includes(s));
  }
  const checks: Check[] = [];
  for (const s of suites) checks.push(...((await suiteChecks(s)) ?? []));
  // The file's `checks` narrow the suites; --check narrows that again (never widens it). Each
  // pattern must select something, and so must the whole: a run of no checks is refused here,
  // before anything boots, not found out after.
  let selected = checks;
  if (config.checks) {
    config.checks.forEach((p, i) => {
      if (!checks.some((c) => matchesCheck(c.id, p)))
        throw new UsageError(`${source}: field checks[${i}]: "${p}" matches no check of the suites ${suites.join(', ')}. Fix: see \`pvconform checks\` for the ids, or remove it`);
    });
    selected = checks.filter((c) => config.checks!.some((p) => matchesCheck(c.id, p)));
  }
  if (filters.check) {
    if (filters.check.length === 0) throw new UsageError('--check: no check id given. Fix: give an id such as virtio.4/entropy, suite/* or a suite name, or leave --check out');
    for (const p of filters.check)
      if (!selected.some((c) => matchesCheck(c.id, p)))
        throw new UsageError(`--check ${p}: matches no check ${config.checks ? `that ${source}'s checks select` : `of the suites ${suites.join(', ')}`}. Fix: see \`pvconform checks\` for the ids`);
    selected = selected.filter((c) => filters.check!.some((p) => matchesCheck(c.id, p)));
  }
  if (selected.length === 0) throw new UsageError(`${source}: field suites: the suites ${suites.join(', ')} have no checks to run. Fix: add a suite that has checks (see \`pvconform checks\`)`);

  const cells: Cell[] = [];
  for (const guest of guests)
    for (const hypervisor of hypervisors)
      cells.push({ id: `${guest.name}@${hypervisor.name}`, guest, hypervisor, suites, checks: selected });
  const checkIds = selected.map((c) => c.id);
  const hash = createHash('sha256')
    .update(JSON.stringify({ cells: cells.map((c) => [c.id, c.guest, c.hypervisor]), checkIds }))
    .digest('hex')
    .slice(0, 12);
  return { hash, source, cells, checkIds };
}
