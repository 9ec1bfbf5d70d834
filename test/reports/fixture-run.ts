// Builds run directories for the report tests, in the format `pvconform run` writes: results.jsonl,
// plan.json, run.json and artifacts/<cell>/. Not a test double of any code under test: these
// are input files, and every expected figure is counted from them, never written by hand.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Citation, CheckResult, State } from '../../harness/core/results.ts';
import type { PlanFile } from '../../harness/run-dir/read.ts';

export const VIRTIO_CITATION: Citation = {
  kind: 'man',
  page: 'virtio(4)',
  file: 'man/virtio.4.netbsd.txt',
  sentence: 'defines an interface for efficient, standard and extensible I/O between the hypervisor and the virtual machine.',
};
export const HYPERV_CITATION: Citation = {
  kind: 'man',
  page: 'hyperv(4)',
  file: 'man/hyperv.4.openbsd.txt',
  sentence: 'Generation 2 Virtual Machines are currently not supported.',
};

export interface FixtureCell {
  guest: string;
  hypervisor: string;
  /** check id -> state; `boot/ssh` first if given, else added as pass. */
  states: Record<string, State>;
  messages?: Record<string, string>;
}

export function result(cell: string, check: string, state: State, extra: Partial<CheckResult> = {}): CheckResult {
  const [guest, hypervisor] = cell.split('@');
  const suite = check.split('/')[0];
  return {
    v: 1,
    run: 'abcdef012345-20260101T000000Z',
    plan: 'abcdef012345',
    cell,
    guest,
    hypervisor,
    check,
    suite,
    state,
    message: state === 'pass' ? 'as promised' : `${check} is ${state} here`,
    citation: check === 'boot/ssh' ? null : VIRTIO_CITATION,
    durationMs: 1234,
    startedAt: '2026-01-01T00:00:00.000Z',
    artifacts: [],
    ...extra,
  };
}

export function cellResults(c: FixtureCell, plan = 'abcdef012345'): CheckResult[] {
  const cell = `${c.guest}@${c.hypervisor}`;
  const states = 'boot/ssh' in c.states ? c.states : { 'boot/ssh': 'pass' as State, ...c.states };
  return Object.entries(states).map(([check, state]) =>
    result(cell, check, state, {
      plan,
      run: `${plan}-20260101T000000Z`,
      message: c.messages?.[check] ?? (state === 'pass' ? 'as promised' : `${check} is ${state} here`),
      artifacts: check === 'boot/ssh' ? [{ kind: 'console', path: `artifacts/${cell}/console.log` }] : [],
      citation: check === 'boot/ssh' ? null : check.startsWith('hyperv.4/') ? HYPERV_CITATION : VIRTIO_CITATION,
    }),
  );
}

export interface WrittenRun {
  dir: string;
  results: CheckResult[];
  plan: PlanFile;
}

/** Writes a run directory. `checks` defaults to every non-boot check any cell has. */
export async function writeRun(
  dir: string,
  cells: FixtureCell[],
  opts: { plan?: string; shard?: { index: number; count: number } | null; checks?: string[]; finished?: boolean; planCells?: FixtureCell[]; summary?: Record<string, unknown> } = {},
): Promise<WrittenRun> {
  const planHash = opts.plan ?? 'abcdef012345';
  await mkdir(dir, { recursive: true });
  const results = cells.flatMap((c) => cellResults(c, planHash));
  const checks = opts.checks ?? [...new Set(results.map((r) => r.check).filter((c) => c !== 'boot/ssh'))];
  const plan: PlanFile = {
    v: 1,
    plan: planHash,
    source: '<embedded default>',
    cells: (opts.planCells ?? cells).map((c) => ({
      id: `${c.guest}@${c.hypervisor}`,
      guest: c.guest,
      hypervisor: c.hypervisor,
      suites: [...new Set(checks.map((k) => k.split('/')[0]))],
    })),
    checks,
    shard: opts.shard ?? null,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  await writeFile(join(dir, 'plan.json'), JSON.stringify(plan) + '\n');
  await writeFile(join(dir, 'results.jsonl'), results.map((r) => JSON.stringify(r) + '\n').join(''));
  for (const c of cells) {
    const cellDir = join(dir, 'artifacts', `${c.guest}@${c.hypervisor}`);
    await mkdir(cellDir, { recursive: true });
    await writeFile(join(cellDir, 'console.log'), `console of ${c.guest} on ${c.hypervisor}\n`);
    await writeFile(join(cellDir, 'dmesg.txt'), `boot messages of ${c.guest}\n`);
  }
  if (opts.finished !== false) {
    const totals = { pass: 0, fail: 0, skip: 0, error: 0 };
    for (const r of results) totals[r.state]++;
    await writeFile(
      join(dir, 'run.json'),
      JSON.stringify({
        run: `${planHash}-20260101T000000Z`,
        plan: planHash,
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:01:00.000Z',
        totals,
        exitCode: totals.error ? 2 : totals.fail ? 3 : 0,
        ...opts.summary,
      }) + '\n',
    );
  }
  return { dir, results, plan };
}

/** Three kinds of cell, so the matrix shows every colour: clean, failing, and broken by the host. */
const PROFILES: State[][] = [
  ['pass', 'pass', 'skip', 'pass', 'pass'],
  ['pass', 'fail', 'pass', 'skip', 'pass', 'pass', 'fail'],
  ['pass', 'skip', 'error', 'pass', 'fail', 'pass'],
];

/** A larger matrix: 3 guests x 4 hypervisor configs, 12 checks each over two suites, all four
 *  states, one cell left out of the results (planned, not run) and hostile message text. */
export function largeMatrix(): { cells: FixtureCell[]; planCells: FixtureCell[] } {
  const guests = ['linux-ref', 'openbsd-7.8', 'netbsd-10.1'];
  const hypervisors = ['qemu', 'qemu-tcg', 'xen-pvh', 'hyperv-gen2'];
  const checks = [
    'virtio.4/net', 'virtio.4/blk', 'virtio.4/scsi', 'virtio.4/console', 'virtio.4/balloon', 'virtio.4/rng',
    'hyperv.4/attach', 'hyperv.4/kvp-auto', 'hyperv.4/kvp-guest', 'hyperv.4/kvp-external', 'hyperv.4/gen2', 'hyperv.4/vmbus',
  ];
  const planCells: FixtureCell[] = [];
  let n = 0;
  for (const guest of guests)
    for (const hypervisor of hypervisors) {
      const profile = PROFILES[n % PROFILES.length];
      const states: Record<string, State> = { 'boot/ssh': 'pass' };
      checks.forEach((check, i) => (states[check] = profile[(i + n) % profile.length]));
      n++;
      planCells.push({
        guest,
        hypervisor,
        states,
        messages: { 'virtio.4/scsi': 'vioscsi0: </script><script>window.__pwned = 1</script> <img src=x onerror="window.__pwned=2"> & "quotes"' },
      });
    }
  // One cell whose boot failed: every check after it is skip, as the run writes them.
  const netbsdHyperv = planCells.find((c) => c.guest === 'netbsd-10.1' && c.hypervisor === 'hyperv-gen2')!;
  netbsdHyperv.states = Object.fromEntries(Object.keys(netbsdHyperv.states).map((k) => [k, k === 'boot/ssh' ? 'fail' : 'skip']));
  // The run was cut short before linux-ref@hyperv-gen2: planned, no results.
  const cells = planCells.filter((c) => !(c.guest === 'linux-ref' && c.hypervisor === 'hyperv-gen2'));
  return { cells, planCells };
}
