// Every way a cell can end, mapped to the four states by the real runCell and runPlan, in
// milliseconds: the provider and the guest are test doubles (test/doubles/fake-provider,
// fake-guest). The same faults against a real guest under QEMU: test/faults/.
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';
import t from 'tap';
const tap = t;
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCell, type CellDeps } from '../../harness/run/run-cell.ts';
import { runPlan } from '../../harness/run/run-plan.ts';
import { ResultSink } from '../../harness/results/sink.ts';
import { BootError, ConnectionLostError, InfraError, TimeoutError, UsageError } from '../../harness/core/errors.ts';
import { SshTrustError } from '../../harness/transport/ssh.ts';
import { NoImageError } from '../../harness/images/guest-image.ts';
import { EXIT } from '../../harness/core/exit-codes.ts';
import type { Check } from '../../harness/core/checks.ts';
import type { CheckResult, State } from '../../harness/core/results.ts';
import type { Cell, Plan } from '../../harness/plan/plan.ts';
import type { Progress } from '../../harness/run/progress.ts';
import { fakeProvider, type FakeProvider, type FakeProviderScript } from '../doubles/fake-provider/index.ts';
import { FAKE_IMAGE, fakeAdapter, fakeCheck, fakeShell, type FakeAnswer } from '../doubles/fake-guest/index.ts';

t.setTimeout(60_000);

const PANIC = '[   12.345678] Kernel panic - not syncing: sysrq triggered crash\n';
const pass = fakeCheck('a', async () => ({ state: 'pass', message: 'held' }));
const passB = fakeCheck('b', async () => ({ state: 'pass', message: 'held' }));
const passC = fakeCheck('c', async () => ({ state: 'pass', message: 'held' }));

interface Scenario {
  provider?: FakeProviderScript;
  resolve?: () => Promise<typeof FAKE_IMAGE>;
  connect?: Error;
  shell?: (command: string) => FakeAnswer;
  bootMessages?: () => Promise<string>;
  checks: (env: { provider: FakeProvider; abort: () => void }) => Check[];
}

function cellOf(id: string, checks: Check[]): Cell {
  return {
    id,
    guest: { name: 'fake-guest', withoutDrivers: [], extraKernelArgs: '' },
    hypervisor: { name: 'fake', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices: ['net', 'rng'], extraKernelArgs: '' } as QemuConfig,
    suites: ['fake'],
    checks,
  };
}

function depsFor(s: Scenario, provider: FakeProvider): CellDeps {
  return {
    resolveImage: s.resolve ?? (async () => FAKE_IMAGE),
    providerFor: async () => provider,
    connect: async () => {
      if (s.connect) throw s.connect;
      return fakeShell(s.shell);
    },
    adapterFor: async () => fakeAdapter(s.bootMessages),
  };
}

async function run(t: { teardown(fn: () => void): void; equal: typeof tap.equal; same: typeof tap.same; ok: typeof tap.ok }, s: Scenario): Promise<{ states: Record<string, State>; results: CheckResult[]; provider: FakeProvider; noImage: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-mapping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const provider = fakeProvider(s.provider);
  const controller = new AbortController();
  const checks = s.checks({ provider, abort: () => controller.abort() });
  const cell = cellOf('fake-guest@fake', checks);
  const sink = new ResultSink(dir);
  const f = await runCell(cell, { run: 'r', plan: 'p', runDir: dir, workRoot: join(dir, 'work'), sink, signal: controller.signal, log: () => {}, notice: () => {} }, depsFor(s, provider));
  sink.close();
  const lines = readFileSync(sink.path, 'utf8').split('\n').filter(Boolean);
  t.equal(lines.length, 1 + checks.length, 'exactly one result line per planned check (and boot/ssh)');
  t.same(lines.map((l) => (JSON.parse(l) as CheckResult).check), ['boot/ssh', ...checks.map((c) => c.id)], 'in plan order');
  t.equal(provider.stopped, provider.booted, 'every machine booted was stopped');
  const results = sink.results;
  return { states: Object.fromEntries(results.map((r) => [r.check, r.state])), results, provider, noImage: f.noImage };
}

const msg = (results: CheckResult[], id: string) => results.find((r) => r.check === id)?.message ?? '';

t.test('everything passes', async (t) => {
  const { states } = await run(t, { checks: () => [pass, passB] });
  t.same(states, { 'boot/ssh': 'pass', 'fake/a': 'pass', 'fake/b': 'pass' });
});

t.test('no image: skip all, and the cell counts as without image', async (t) => {
  const { states, noImage, results } = await run(t, { resolve: async () => Promise.reject(new NoImageError('fake-guest', 'pvconform images build fake-guest')), checks: () => [pass] });
  t.same(states, { 'boot/ssh': 'skip', 'fake/a': 'skip' });
  t.ok(noImage);
  t.match(msg(results, 'fake/a'), /no image: build it with/);
});

t.test('boot fails (the guest): boot/ssh fail, the checks skip "not run"', async (t) => {
  const { states, results } = await run(t, { provider: { boot: { throws: new BootError('no login prompt') } }, checks: () => [pass, passB] });
  t.same(states, { 'boot/ssh': 'fail', 'fake/a': 'skip', 'fake/b': 'skip' });
  t.match(msg(results, 'fake/a'), /^not run: the guest did not boot/);
});

t.test('boot breaks (the host): error for all', async (t) => {
  const { states } = await run(t, { provider: { boot: { throws: new InfraError('qemu-img: no space') } }, checks: () => [pass] });
  t.same(states, { 'boot/ssh': 'error', 'fake/a': 'error' });
});

t.test('a harness bug while booting (a plain Error): error, never fail', async (t) => {
  const { states } = await run(t, { provider: { boot: { throws: new TypeError('x is undefined') } }, checks: () => [pass] });
  t.same(states, { 'boot/ssh': 'error', 'fake/a': 'error' });
});

t.test('trust error (the pinned key does not match): error at once', async (t) => {
  const { states, results } = await run(t, { connect: new SshTrustError('host key does not match'), checks: () => [pass] });
  t.same(states, { 'boot/ssh': 'error', 'fake/a': 'error' });
  t.match(msg(results, 'boot/ssh'), /trust/);
});

t.test('a usage error is not a cell result: it ends the run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-mapping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sink = new ResultSink(dir);
  const deps = depsFor({ resolve: async () => Promise.reject(new UsageError('unknown image')), checks: () => [] }, fakeProvider());
  await t.rejects(runCell(cellOf('x@y', [pass]), { run: 'r', plan: 'p', runDir: dir, workRoot: dir, sink, signal: new AbortController().signal, log: () => {}, notice: () => {} }, deps), UsageError);
  sink.close();
});

t.test('panic while booting: boot/ssh fails with the panic line', async (t) => {
  const { states, results } = await run(t, { provider: { boot: { consoleThenThrow: [PANIC, new BootError('the guest did not come up')] } }, checks: () => [pass] });
  t.same(states, { 'boot/ssh': 'fail', 'fake/a': 'skip' });
  t.match(msg(results, 'boot/ssh'), /Kernel panic - not syncing: sysrq triggered crash/);
  t.match(msg(results, 'fake/a'), /not run: the guest kernel panicked/);
});

t.test('panic mid-check: that check fails with the panic line and console tail, the rest are not run', async (t) => {
  const { states, results } = await run(t, {
    checks: ({ provider }) => [
      pass,
      fakeCheck('panics', () => {
        setTimeout(() => provider.console(PANIC + 'Kernel Offset: disabled\n'), 50);
        return new Promise(() => {}); // the command never answers: the guest is gone
      }),
      passB,
      passC,
    ],
  });
  t.same(states, { 'boot/ssh': 'pass', 'fake/a': 'pass', 'fake/panics': 'fail', 'fake/b': 'skip', 'fake/c': 'skip' });
  t.match(msg(results, 'fake/panics'), /Kernel panic - not syncing: sysrq triggered crash/);
  t.match(msg(results, 'fake/panics'), /console tail:[\s\S]*Kernel Offset: disabled/);
  t.match(msg(results, 'fake/b'), /^not run: the guest kernel panicked during fake\/panics/);
});

t.test('panic mid-check seen only through the lost connection: still the guest\'s fault', async (t) => {
  const { states } = await run(t, {
    checks: ({ provider }) => [
      fakeCheck('panics', async () => {
        provider.console(PANIC);
        throw new ConnectionLostError('SSH connection lost while a command ran');
      }),
      passB,
    ],
  });
  t.same(states, { 'boot/ssh': 'pass', 'fake/panics': 'fail', 'fake/b': 'skip' });
});

t.test('panic between two checks: the next check fails with it', async (t) => {
  const { states } = await run(t, {
    checks: ({ provider }) => [
      fakeCheck('a', async () => {
        provider.console(PANIC);
        return { state: 'pass', message: 'held' };
      }),
      fakeCheck('slow', () => new Promise(() => {})),
      passC,
    ],
  });
  t.same(states, { 'boot/ssh': 'pass', 'fake/a': 'pass', 'fake/slow': 'fail', 'fake/c': 'skip' });
});

t.test('connection lost before the first check (QEMU killed after boot): every check error "not run"', async (t) => {
  // The boot messages come with the guest's facts, in one command (suites/probe/gather.ts): the
  // connection drops on that command.
  const { states, results } = await run(t, { shell: (c) => (c.includes('dmesg') ? new ConnectionLostError('SSH connection lost while running: dmesg') : {}), checks: () => [pass, passB] });
  t.same(states, { 'boot/ssh': 'pass', 'fake/a': 'error', 'fake/b': 'error' });
  t.match(msg(results, 'fake/a'), /^not run: the SSH connection to the guest was lost during the reading of the boot messages/);
});

t.test('connection lost mid-check (no panic on the console): error, the rest error "not run"', async (t) => {
  const { states, results } = await run(t, {
    checks: () => [fakeCheck('drops', async () => Promise.reject(new ConnectionLostError('SSH connection lost'))), passB],
  });
  t.same(states, { 'boot/ssh': 'pass', 'fake/drops': 'error', 'fake/b': 'error' });
  t.match(msg(results, 'fake/b'), /^not run: the SSH connection to the guest was lost during fake\/drops/);
});

t.test('a command times out but the guest still answers: error, the next checks run', async (t) => {
  const { states } = await run(t, { checks: () => [fakeCheck('slow', async () => Promise.reject(new TimeoutError('command timed out after 60000 ms: sleep', 60_000))), passB] });
  t.same(states, { 'boot/ssh': 'pass', 'fake/slow': 'error', 'fake/b': 'pass' });
});

t.test('a command times out and the guest answers nothing more: the rest error "not run"', async (t) => {
  const { states, results } = await run(t, {
    shell: (c) => (c === 'true' ? new TimeoutError('command timed out after 10000 ms: true', 10_000) : {}),
    checks: () => [fakeCheck('slow', async () => Promise.reject(new TimeoutError('command timed out', 60_000))), passB],
  });
  t.same(states, { 'boot/ssh': 'pass', 'fake/slow': 'error', 'fake/b': 'error' });
  t.match(msg(results, 'fake/b'), /^not run: the guest stopped answering after fake\/slow timed out/);
});

t.test('a check throws InfraError: error, the next checks run', async (t) => {
  const { states } = await run(t, { checks: () => [fakeCheck('infra', async () => Promise.reject(new InfraError('dom0 said no'))), passB] });
  t.same(states, { 'boot/ssh': 'pass', 'fake/infra': 'error', 'fake/b': 'pass' });
});

t.test('a check with a bug (TypeError): error "harness error", never fail', async (t) => {
  const { states, results } = await run(t, { checks: () => [fakeCheck('bug', async () => Promise.reject(new TypeError('cannot read x'))), passB] });
  t.same(states, { 'boot/ssh': 'pass', 'fake/bug': 'error', 'fake/b': 'pass' });
  t.match(msg(results, 'fake/bug'), /^harness error/);
});

t.test('a check returns fail, and a requirement unmet is skip', async (t) => {
  const { states, results } = await run(t, {
    checks: () => [fakeCheck('broken', async () => ({ state: 'fail', message: 'promise broken' })), fakeCheck('needs-xen', async () => ({ state: 'pass', message: '' }), { families: ['xen'] })],
  });
  t.same(states, { 'boot/ssh': 'pass', 'fake/broken': 'fail', 'fake/needs-xen': 'skip' });
  t.match(msg(results, 'fake/needs-xen'), /xen/);
});

t.test('Ctrl-C mid-check: that check and the rest are error "interrupted", the machine is stopped', async (t) => {
  const { states, results } = await run(t, {
    checks: ({ abort }) => [
      pass,
      fakeCheck('hangs', () => {
        setTimeout(abort, 20);
        return new Promise(() => {});
      }),
      passB,
    ],
  });
  t.same(states, { 'boot/ssh': 'pass', 'fake/a': 'pass', 'fake/hangs': 'error', 'fake/b': 'error' });
  t.match(msg(results, 'fake/hangs'), /interrupted/);
});

t.test('Ctrl-C while booting: error "interrupted" for all', async (t) => {
  let abortNow = () => {};
  const s: Scenario = { provider: { boot: { hangs: true } }, checks: ({ abort }) => ((abortNow = abort), [pass]) };
  setTimeout(() => abortNow(), 30);
  const { states, results } = await run(t, s);
  t.same(states, { 'boot/ssh': 'error', 'fake/a': 'error' });
  t.match(msg(results, 'boot/ssh'), /interrupted/);
});

// The run around the cells: a dying cell does not take the others or the reports with it.
const silent: Progress = { cellStart() {}, log() {}, notice() {}, result() {}, cellEnd() {} };

function planOf(cells: Cell[]): Plan {
  return { hash: 'fakeplan', source: 'test', cells, checkIds: [...new Set(cells.flatMap((c) => c.checks.map((k) => k.id)))] } as unknown as Plan;
}

t.test('a 2-cell run where cell 1 dies: cell 2 still runs, one result per planned check, reports written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-mapping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cells = [cellOf('one@fake', [pass, passB]), cellOf('two@fake', [pass, passB])];
  let first = true;
  const deps: CellDeps = {
    resolveImage: async () => FAKE_IMAGE,
    providerFor: async () => fakeProvider(),
    connect: async () => {
      const dies = first;
      first = false;
      return fakeShell(() => (dies ? new ConnectionLostError('SSH connection lost') : {}));
    },
    adapterFor: async () => fakeAdapter(async () => ''),
  };
  const checksThatExec = [fakeCheck('a', async (ctx) => ((await ctx.sh.exec('true')), { state: 'pass', message: '' })), passB];
  cells[0].checks = checksThatExec;
  const out = await runPlan({ plan: planOf(cells), runDir: join(dir, 'run'), signal: new AbortController().signal, progress: silent, cellDeps: deps });
  const lines = readFileSync(join(dir, 'run', 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CheckResult);
  t.same(lines.map((r) => `${r.cell} ${r.check} ${r.state}`), ['one@fake boot/ssh pass', 'one@fake fake/a error', 'one@fake fake/b error', 'two@fake boot/ssh pass', 'two@fake fake/a pass', 'two@fake fake/b pass']);
  t.equal(out.exitCode, EXIT.infra);
  for (const f of ['results.tap', 'junit.xml', 'run.json']) t.ok(existsSync(join(dir, 'run', f)), f);
});

t.test('a cell whose runCell throws a harness bug: its planned checks still get error, the next cell runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-mapping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cells = [cellOf('one@fake', [pass]), cellOf('two@fake', [pass])];
  let n = 0;
  const deps: CellDeps = {
    resolveImage: async () => FAKE_IMAGE,
    providerFor: async () => fakeProvider(),
    connect: async () => fakeShell(),
    adapterFor: async () => {
      if (n++ === 0) throw new TypeError('adapter bug');
      return fakeAdapter();
    },
  };
  const out = await runPlan({ plan: planOf(cells), runDir: join(dir, 'run'), signal: new AbortController().signal, progress: silent, cellDeps: deps });
  const states = readFileSync(join(dir, 'run', 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CheckResult).map((r) => `${r.cell} ${r.check} ${r.state}`);
  t.same(states, ['one@fake boot/ssh pass', 'one@fake fake/a error', 'two@fake boot/ssh pass', 'two@fake fake/a pass']);
  t.equal(out.exitCode, EXIT.infra);
});

t.test('Ctrl-C before the second cell: its checks are error "interrupted", not missing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-mapping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const controller = new AbortController();
  const cells = [cellOf('one@fake', [fakeCheck('a', async () => (controller.abort(), { state: 'pass', message: '' }))]), cellOf('two@fake', [pass, passB])];
  const deps: CellDeps = { resolveImage: async () => FAKE_IMAGE, providerFor: async () => fakeProvider(), connect: async () => fakeShell(), adapterFor: async () => fakeAdapter() };
  await runPlan({ plan: planOf(cells), runDir: join(dir, 'run'), signal: controller.signal, progress: silent, cellDeps: deps });
  const states = readFileSync(join(dir, 'run', 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CheckResult).map((r) => `${r.cell} ${r.check} ${r.state}`);
  t.same(states, ['one@fake boot/ssh pass', 'one@fake fake/a pass', 'two@fake boot/ssh error', 'two@fake fake/a error', 'two@fake fake/b error']);
});

t.test('two suites, a provider that cannot give fresh guests: the log says they share one guest', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-mapping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs: string[] = [];
  const sink = new ResultSink(dir);
  const cell = cellOf('fake-guest@fake', [{ ...pass, id: 'one/a', suite: 'one' }, { ...passB, id: 'two/b', suite: 'two' }]);
  await runCell(cell, { run: 'r', plan: 'p', runDir: dir, workRoot: join(dir, 'work'), sink, signal: new AbortController().signal, log: (_c, m) => logs.push(m), notice: () => {} }, depsFor({ checks: () => [] }, fakeProvider()));
  sink.close();
  t.same(sink.results.map((r) => r.state), ['pass', 'pass', 'pass']);
  t.ok(logs.some((l) => l.startsWith('the suites of this cell share one guest')), logs.join('\n'));
  const oneSuite: string[] = [];
  mkdirSync(join(dir, 'b'));
  const sink2 = new ResultSink(join(dir, 'b'));
  await runCell(cellOf('fake-guest@fake', [pass, passB]), { run: 'r', plan: 'p', runDir: join(dir, 'b'), workRoot: join(dir, 'work'), sink: sink2, signal: new AbortController().signal, log: (_c, m) => oneSuite.push(m), notice: () => {} }, depsFor({ checks: () => [] }, fakeProvider()));
  sink2.close();
  t.notOk(oneSuite.some((l) => l.startsWith('the suites of this cell share')), 'one suite: nothing to say');
});
