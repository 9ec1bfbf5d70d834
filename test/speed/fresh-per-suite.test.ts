// Snapshots per suite for real (linux-ref under QEMU TCG): a suite that writes state (a file in
// RAM, a file on /root, a block on the virtio disk) leaves nothing for the next suite when each
// suite gets a guest restored from the snapshot, and leaves it all when snapshots are per cell.
// A suite whose check asks for a cold boot gets a guest that booted again (its console shows a
// second boot; a restored guest's does not).
import '../../vm-images/index.ts';
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Check, Verdict } from '../../harness/core/checks.ts';
import type { Cell } from '../../harness/plan/plan.ts';
import type { CheckResult } from '../../harness/core/results.ts';
import { cellDirName, runCell } from '../../harness/run/run-cell.ts';
import { ResultSink } from '../../harness/results/sink.ts';
import { qemuProcessesMentioning } from '../helpers/cli.ts';
import { READY_MARKER, resolveLinuxRef } from '../../vm-images/linux-ref/image.ts';
import { QemuProvider } from '../../harness/providers/qemu/provider.ts';
import { BASE_TIMEOUTS, scaled } from '../../harness/core/timeouts.ts';

t.setTimeout(600_000);

const citation = { kind: 'source', fact: 'test: guest state between suites', where: 'test/speed' } as const;
const check = (suite: string, name: string, run: Check['run'], coldBoot = false): Check => ({
  id: `${suite}/${name}`, suite, title: name, citation, os: ['linux'], requires: { virtio: ['blk'], ...(coldBoot ? { coldBoot } : {}) }, run,
});

// Suite 1 writes everywhere it can; suite 2 reports what it finds; suite 3 (cold boot) the same.
const writer = check('writer', 'leave-state', async ({ sh }) => {
  const r = await sh.exec(`echo left-behind > /root/marker && echo left-behind > /tmp/marker && printf LEFTBEHIND | dd of=/dev/vda bs=512 seek=1 conv=notrunc 2>/dev/null && sync`);
  return { state: r.code === 0 ? 'pass' : 'fail', message: `wrote (exit ${r.code}) ${r.stderr.trim()}` };
});
const look = async ({ sh }: Parameters<Check['run']>[0]): Promise<Verdict> => {
  const r = await sh.exec(`for f in /root/marker /tmp/marker; do [ -e $f ] && echo "found $f"; done; dd if=/dev/vda bs=512 skip=1 count=1 2>/dev/null | grep -q LEFTBEHIND && echo "found disk"; true`);
  const found = r.stdout.split('\n').filter((l) => l.startsWith('found')).join(', ');
  return { state: found ? 'fail' : 'pass', message: found || 'nothing left behind' };
};
const reader = check('reader', 'find-nothing', look);
const coldReader = check('cold', 'find-nothing-after-boot', look, true);

async function runWith(t: Test, snapshots: 'per-suite' | 'per-cell'): Promise<{ results: Record<string, CheckResult>; boots: number }> {
  const runDir = mkdtempSync(join(tmpdir(), 'pvconform-test-fresh-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const cell: Cell = {
    id: `linux-ref@fresh-${snapshots}`,
    guest: { name: 'linux-ref', withoutDrivers: [], extraKernelArgs: '' },
    hypervisor: { name: `fresh-${snapshots}`, provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices: ['net', 'blk'], extraKernelArgs: '', snapshots } as QemuConfig,
    suites: ['writer', 'reader', 'cold'],
    checks: [writer, reader, coldReader],
  };
  const sink = new ResultSink(runDir);
  await runCell(cell, { run: 'test', plan: 'test', runDir, workRoot: runDir, sink, signal: new AbortController().signal, log: (_c, m) => t.comment(m), notice: () => {} });
  t.same(qemuProcessesMentioning(runDir), [], 'no QEMU left running');
  const console = readFileSync(join(runDir, 'artifacts', cellDirName(cell.id), 'console.log'), 'latin1');
  return { results: Object.fromEntries(sink.results.map((r) => [r.check, r])), boots: console.split(READY_MARKER).length - 1 };
}

t.test('snapshots per suite: each suite starts from the saved guest', async (t) => {
  const { results: r, boots } = await runWith(t, 'per-suite');
  t.equal(r['boot/ssh']?.state, 'pass', r['boot/ssh']?.message);
  t.equal(r['writer/leave-state']?.state, 'pass', r['writer/leave-state']?.message);
  t.equal(r['reader/find-nothing']?.state, 'pass', `the next suite finds nothing: ${r['reader/find-nothing']?.message}`);
  t.equal(r['cold/find-nothing-after-boot']?.state, 'pass', `the cold-boot suite finds nothing: ${r['cold/find-nothing-after-boot']?.message}`);
  t.equal(boots, 2, 'two boots on the console: the first, and the cold-boot suite\'s; the reader\'s guest was restored, not booted');
});

t.test('snapshots per cell: the suites share one guest, state carries over', async (t) => {
  const { results: r, boots } = await runWith(t, 'per-cell');
  t.equal(r['writer/leave-state']?.state, 'pass', r['writer/leave-state']?.message);
  const m = r['reader/find-nothing']?.message ?? '';
  t.equal(r['reader/find-nothing']?.state, 'fail', `the next suite finds the state: ${m}`);
  t.match(m, /found \/root\/marker, found \/tmp\/marker, found disk/);
  t.equal(r['cold/find-nothing-after-boot']?.state, 'fail', 'per cell, even the cold-boot check shares the guest (one life)');
  t.equal(boots, 1, 'one boot');
});

t.test('what the cell prepares before the save is in every restored guest; what a suite writes is not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-fresh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const image = await resolveLinuxRef();
  const log: string[] = [];
  const machine = await new QemuProvider().boot(
    {
      cellId: 'linux-ref@prepare', image, hypervisor: { name: 'prepare', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices: ['net'], extraKernelArgs: '' },
      workDir: join(dir, 'work'), artifactsDir: join(dir, 'artifacts'), runDir: dir, timeouts: scaled(BASE_TIMEOUTS, 2), log: (m) => log.push(m),
      freshPerSuite: true,
      prepareFresh: async (sh) => void (await sh.exec('echo tool > /tmp/prepared-tool')),
    },
    new AbortController().signal,
  );
  t.teardown(() => machine.stop());
  t.ok(machine.shell, 'the readiness connection is handed on');
  t.match(log.join('\n'), /guest state saved in \d+ ms/);
  await machine.shell!.exec('echo mine > /tmp/suite-state');
  await machine.shell!.close();
  const sh = await machine.restoreFresh!();
  const r = await sh.exec('cat /tmp/prepared-tool; [ -e /tmp/suite-state ] && echo suite-state-left');
  t.equal(r.stdout.trim(), 'tool', 'prepared tool present, suite state gone');
  await sh.close();
  await machine.stop();
  t.same(qemuProcessesMentioning(dir), [], 'no QEMU left running');
});
