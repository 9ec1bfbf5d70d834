// Faults injected into real runs (the CLI, QEMU under TCG, the linux-ref guest): QEMU killed or
// frozen at several points, a guest kernel panic, sshd killed and the link taken down in the
// guest, the host's network refusing the SSH forward, full disks under --out and the scratch
// folder, SIGINT/SIGTERM, a 2-cell matrix whose first cell dies. For each: the exit code, the
// state of every planned check, exactly one valid JSON line per planned check, the reports, and
// nothing left behind. A few runs go at once to keep the wall time down.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { existsSync, readdirSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratch, writeMatrix } from '../helpers/cli.ts';
import { EXIT } from '../../harness/core/exit-codes.ts';
import type { CheckResult } from '../../harness/core/results.ts';
import { guestShell, leftovers, startRun, until, type RunHandle } from './inject.ts';

t.setTimeout(900_000);

const CHECKS_PER_CELL = 7; // virtio.4 on the default matrix
const PANIC_ON = 'echo c > /proc/sysrq-trigger';
const KILL_SSHD = 'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = dropbear ] && kill -9 ${p#/proc/}; done';

interface Scenario {
  name: string;
  args?: string[];
  matrix?: string;
  env?: (dir: string) => Record<string, string>;
  prefix?: string[];
  setup?: (dir: string) => Promise<void>;
  teardown?: (dir: string) => Promise<void>;
  /** Breaks the run; returns once the fault is in. */
  fault(run: RunHandle): Promise<void>;
  exit: number;
  /** Per cell, the states in plan order joined by spaces (boot/ssh first). */
  states: Record<string, RegExp>;
  /** Messages that must appear (check id -> pattern). */
  messages?: Record<string, RegExp>;
  /** Mounts a tmpfs or enters a network namespace. */
  needsRoot?: boolean;
  /** The run cannot write its reports (a full --out): instead, this on stderr. */
  outputFails?: RegExp;
}

const killQemu = (signal: NodeJS.Signals, cell?: string) => (run: RunHandle) => {
  for (const pid of run.qemuPids(cell)) process.kill(pid, signal);
};
const afterLines = async (run: RunHandle, n: number) => {
  if (!(await until(() => run.lines() >= n, 240_000))) throw new Error(`never saw ${n} result lines`);
};
const whileBooting = async (run: RunHandle, cell?: string) => {
  if (!(await until(() => run.consoleBytes(cell) > 0 && run.qemuPids(cell).length > 0, 240_000))) throw new Error('the guest never printed');
};
/** Once boot/ssh is written, the harness is frozen (SIGSTOP) while we log into the guest and
 *  break it, then thawed: the checks (about 1 s in all) would otherwise be over before our own
 *  SSH login is. */
const guestRuns = async (run: RunHandle, command: string) => {
  await afterLines(run, 1);
  const harness = run.child.pid!;
  process.kill(harness, 'SIGSTOP');
  try {
    const sh = await guestShell(run);
    await sh.exec(command, { timeoutMs: 5_000 }).catch(() => {});
    await sh.close().catch(() => {});
    await new Promise((r) => setTimeout(r, 1_000)); // let a panic reach the console
  } finally {
    process.kill(harness, 'SIGCONT');
  }
};
const rest = (state: string, n = CHECKS_PER_CELL) => `( ${state}){${n}}`;
const ONE = 'linux-ref@qemu';

const scenarios: Scenario[] = [
  {
    name: 'QEMU SIGKILL during boot',
    fault: async (run) => (await whileBooting(run), killQemu('SIGKILL')(run)),
    exit: EXIT.infra,
    states: { [ONE]: new RegExp(`^error${rest('error')}$`) },
    messages: { 'boot/ssh': /QEMU died of SIGKILL/ },
  },
  {
    name: 'QEMU SIGKILL between boot and the first check',
    fault: async (run) => (await afterLines(run, 1), killQemu('SIGKILL')(run)),
    exit: EXIT.infra,
    states: { [ONE]: /^pass( pass)*( error)+$/ },
  },
  {
    name: 'QEMU SIGKILL mid-check',
    fault: async (run) => (await afterLines(run, 3), killQemu('SIGKILL')(run)),
    exit: EXIT.infra,
    states: { [ONE]: /^pass pass pass( pass)*( error)+$/ },
  },
  {
    name: 'QEMU SIGSTOP during boot for 5 s, then SIGCONT: nothing misfiled',
    fault: async (run) => {
      await whileBooting(run);
      killQemu('SIGSTOP')(run);
      await new Promise((r) => setTimeout(r, 5_000));
      killQemu('SIGCONT')(run);
    },
    exit: EXIT.ok,
    states: { [ONE]: new RegExp(`^pass${rest('pass')}$`) },
  },
  {
    name: 'QEMU SIGSTOP mid-check (frozen for good)',
    fault: async (run) => (await afterLines(run, 2), killQemu('SIGSTOP')(run)),
    exit: EXIT.infra,
    states: { [ONE]: /^pass pass( pass)*( error)+$/ },
  },
  {
    name: 'guest kernel panic mid-suite',
    fault: (run) => guestRuns(run, PANIC_ON),
    exit: EXIT.failed,
    states: { [ONE]: /^pass( pass)* fail( skip)*$/ },
    messages: { '*fail': /the guest kernel panicked: .*Kernel panic - not syncing[\s\S]*console tail:/ },
  },
  {
    name: 'sshd killed in the guest',
    fault: (run) => guestRuns(run, KILL_SSHD),
    exit: EXIT.infra,
    states: { [ONE]: /^pass( pass)*( error)+$/ },
  },
  {
    name: 'network link down in the guest',
    fault: (run) => guestRuns(run, '(sleep 0.2; ip link set eth0 down) >/dev/null 2>&1 &'),
    exit: EXIT.infra,
    states: { [ONE]: /^pass( pass)*( error)+$/ },
  },
  {
    name: 'a command that hangs in the guest (reading /dev/hwrng blocks)',
    fault: (run) => guestRuns(run, 'mkfifo /tmp/hang && mount --bind /tmp/hang /dev/hwrng'),
    exit: EXIT.infra,
    states: { [ONE]: /^pass pass pass pass pass error pass pass$/ },
    messages: { 'virtio.4/entropy': /timed out/ },
  },
  {
    name: 'SIGINT after boot',
    fault: async (run) => (await afterLines(run, 1), void run.child.kill('SIGINT')),
    exit: 130,
    states: { [ONE]: /^pass( pass)*( error)*$/ },
  },
  {
    name: 'SIGTERM during boot',
    fault: async (run) => (await whileBooting(run), void run.child.kill('SIGTERM')),
    exit: 143,
    states: { [ONE]: new RegExp(`^error${rest('error')}$`) },
    messages: { 'boot/ssh': /interrupted/ },
  },
  {
    name: 'a 2-cell matrix whose first cell dies',
    // One cell at a time, so the first result line is cell 1's boot/ssh and the kill comes after it.
    args: ['--jobs', '1'],
    matrix: 'hypervisors:\n  - {name: q1, provider: qemu, accel: tcg}\n  - {name: q2, provider: qemu, accel: tcg}\nguests:\n  - {name: linux-ref}\nsuites: [virtio.4]\n',
    fault: async (run) => (await afterLines(run, 1), killQemu('SIGKILL', 'linux-ref@q1')(run)),
    exit: EXIT.infra,
    states: { 'linux-ref@q1': /^pass( pass)*( error)+$/, 'linux-ref@q2': new RegExp(`^pass${rest('pass')}$`) },
  },
  {
    name: 'the SSH forward unreachable (ENETUNREACH) though the console shows the guest ready',
    needsRoot: true,
    prefix: ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'],
    fault: async (run) => {
      if (!(await until(() => existsSync(join(run.out, 'artifacts', ONE, 'console.log')) && readFileSync(join(run.out, 'artifacts', ONE, 'console.log'), 'latin1').includes('GUEST-READY'), 240_000, 5)))
        throw new Error('no ready marker');
      const pid = run.qemuPids()[0];
      // With its address gone, connecting to 127.0.0.1 fails ENETUNREACH; QEMU's bound socket stays.
      await execa('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', 'addr', 'del', '127.0.0.1/8', 'dev', 'lo']);
    },
    exit: EXIT.infra,
    states: { [ONE]: new RegExp(`^error${rest('error')}$`) },
    messages: { 'boot/ssh': /unreachable|ENETUNREACH/ },
  },
  ...[16, 64].map((kib) => ({
    name: `--out on a full disk (${kib} KiB tmpfs)`,
    needsRoot: true,
    setup: async (dir: string) => {
      mkdirSync(join(dir, 'run'), { recursive: true });
      await execa('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', join(dir, 'run')]);
    },
    teardown: async (dir: string) => void (await execa('umount', ['-l', join(dir, 'run')], { reject: false })),
    fault: async () => {},
    exit: EXIT.infra,
    states: {},
    outputFails: /cannot write results to .*: no space left on the device/,
  })),
  {
    name: 'the scratch folder on a full disk (64 KiB tmpfs as TMPDIR)',
    needsRoot: true,
    setup: async (dir: string) => void (await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', join(dir, 'tmp')])),
    teardown: async (dir: string) => void (await execa('umount', ['-l', join(dir, 'tmp')], { reject: false })),
    fault: async () => {},
    exit: EXIT.infra,
    states: { [ONE]: new RegExp(`^error${rest('error')}$`) },
  },
];

const summary = { faults: 0, expected: 0, written: 0, leftovers: 0, unwritable: 0 };

async function runScenario(t: Test, s: Scenario): Promise<void> {
  const dir = scratch(t, 'pvconform-fault-');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  await s.setup?.(dir);
  try {
    const matrix = s.matrix ? ['--config', writeMatrix(dir, 'm.yaml', s.matrix)] : [];
    const run = startRun(dir, [...matrix, ...(s.args ?? [])], { env: s.env?.(dir), prefix: s.prefix });
    const injected = s.fault(run).then(() => null, (e: unknown) => e);
    const r = await run.child;
    const err = await injected;
    t.equal(err, null, `the fault went in (${String(err)})`);
    summary.faults++;
    t.equal(r.exitCode, s.exit, `exit ${s.exit} (output:\n${r.all?.slice(-3000)})`);

    const plan = JSON.parse(readFileSync(join(run.out, 'plan.json'), 'utf8')) as { cells: Array<{ id: string }>; checks: string[] };
    const expected = plan.cells.length * (1 + CHECKS_PER_CELL);
    summary.expected += expected;
    const raw = readFileSync(join(run.out, 'results.jsonl'), 'utf8');
    t.ok(raw === '' || raw.endsWith('\n'), 'no torn last line');
    const lines = raw.split('\n').filter(Boolean);
    const results: CheckResult[] = [];
    for (const l of lines) {
      try {
        results.push(JSON.parse(l) as CheckResult);
      } catch {
        t.fail(`not valid JSON: ${l.slice(0, 120)}`);
      }
    }
    summary.written += results.length;
    if (s.outputFails) summary.unwritable += expected - results.length;
    if (s.outputFails) {
      t.match(r.all, s.outputFails, 'a clear one-line message about the output folder');
      t.notMatch(r.all, /internal error|\n\s+at /, 'no stack trace');
      // Whatever summary file the full disk let through is whole; none is left half-written.
      const wholeEnds: Array<[string, RegExp]> = [['report.html', /<\/html>\s*$/], ['junit.xml', /<\/testsuites>\s*$/], ['run.json', /\}\s*$/], ['plan.json', /\}\s*$/], ['results.tap', /\n$/]];
      for (const [f, end] of wholeEnds) if (existsSync(join(run.out, f))) t.match(readFileSync(join(run.out, f), 'utf8'), end, `${f}: whole, or not there`);
      t.same(readdirSync(run.out).filter((f) => f.includes('.part-')), [], 'no half-written file left beside them');
    } else {
      t.equal(results.length, expected, `exactly one result per planned check (${results.length}/${expected})`);
      for (const cell of plan.cells) {
        const mine = results.filter((x) => x.cell === cell.id);
        t.equal(new Set(mine.map((x) => x.check)).size, mine.length, `${cell.id}: no check twice`);
        t.match(mine.map((x) => x.state).join(' '), s.states[cell.id], `${cell.id}: states in order`);
      }
      for (const [check, pattern] of Object.entries(s.messages ?? {})) {
        const hit = check === '*fail' ? results.find((x) => x.state === 'fail') : results.find((x) => x.check === check);
        t.match(hit?.message ?? '', pattern, `${check}: message`);
      }
      for (const f of ['results.tap', 'junit.xml', 'report.html']) t.ok(existsSync(join(run.out, f)), `${f} written`);
    }
    const left = await leftovers(run);
    summary.leftovers += left.qemu.length + left.scratch.length;
    t.same(left, { qemu: [], scratch: [] }, 'no QEMU, overlay, socket or scratch folder left');
  } finally {
    await s.teardown?.(dir);
  }
}

t.test('faults', async (t) => {
  const started = Date.now();
  // Three runs at once: most of a fault run is waiting for TCG to boot.
  t.jobs = 3;
  // PVCONFORM_FAULTS=<regex> runs only the matching faults (while working on one).
  const only = process.env.PVCONFORM_FAULTS ? new RegExp(process.env.PVCONFORM_FAULTS) : null;
  const root = process.getuid?.() === 0;
  const skip = (s: Scenario) => (s.needsRoot && !root ? 'needs root (tmpfs mounts, network namespaces)' : false);
  await Promise.all(scenarios.filter((s) => !only || only.test(s.name)).map((s) => t.test(s.name, { buffered: true, skip: skip(s) }, (tt) => runScenario(tt, s))));
  const line = `fault suite: ${summary.faults} faults injected, ${summary.expected} results expected, ${summary.written} results written (${summary.unwritable} could not be: --out was full, and the run said so), ${summary.leftovers} leftovers, ${((Date.now() - started) / 1000).toFixed(0)} s`;
  t.comment(line);
  console.error(line);
});
