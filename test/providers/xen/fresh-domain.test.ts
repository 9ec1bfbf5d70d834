// Fresh guests per suite on Xen, for real: linux-ref as a PV domU on the nested Xen host. The
// domain is saved once it answers (xl save -c); a suite that wrote state (files in the guest, a
// node in its XenStore home written by dom0) leaves nothing for the next suite, which gets the
// domain restored from the saved file (xl restore, a new domid). A suite whose checks all skip
// costs no restore. A suite that asks for a cold boot gets a domain created and booted again.
// With snapshots per cell the state is still there. Prints restore-to-SSH against create-to-SSH.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import '../../../vm-images/index.ts';
import type { Check, Verdict } from '../../../harness/core/checks.ts';
import type { Cell } from '../../../harness/plan/plan.ts';
import type { CheckResult } from '../../../harness/core/results.ts';
import type { XenConfig } from '../../../harness/providers/xen/config.ts';
import { cellDirName, runCell } from '../../../harness/run/run-cell.ts';
import { ResultSink } from '../../../harness/results/sink.ts';
import { closeProviders } from '../../../harness/providers/registry.ts';
import { buildXenHost } from '../../../vm-images/xen-host/build.ts';
import { buildLinuxRef } from '../../../vm-images/linux-ref/build.ts';
import { READY_MARKER } from '../../../vm-images/linux-ref/image.ts';
import { resolveImage } from '../../../harness/images/resolve.ts';
import { XenProvider } from '../../../harness/providers/xen/provider.ts';
import { Dom0 } from '../../../harness/providers/xen/dom0.ts';
import { connectSsh } from '../../../harness/transport/ssh.ts';
import { BASE_TIMEOUTS, scaled } from '../../../harness/core/timeouts.ts';

t.setTimeout(900_000);
t.teardown(() => closeProviders());

const citation = { kind: 'source', fact: 'test: guest state between suites on Xen', where: 'test/providers/xen' } as const;
const check = (suite: string, name: string, run: Check['run'], requires: Check['requires'] = {}): Check => ({
  id: `${suite}/${name}`, suite, title: name, citation, os: ['linux'], requires, run,
});
const KEY = 'data/pvconform-left-behind';

// Suite 0 cannot run on Xen (no virtio); suite 1 writes; suites 2 and 3 report what they find.
const skipper = check('skipper', 'needs-virtio', async () => ({ state: 'fail', message: 'ran where it should have skipped' }), { virtio: ['rng'] });
const writer = check('writer', 'leave-state', async ({ sh, hostKv }) => {
  const r = await sh.exec('echo left-behind > /root/marker && echo left-behind > /tmp/marker');
  await hostKv!.write(KEY, 'left-behind');
  return { state: r.code === 0 ? 'pass' : 'fail', message: `wrote (exit ${r.code}) ${r.stderr.trim()}` };
}, { hostKv: true });
const look = async ({ sh, hostKv }: Parameters<Check['run']>[0]): Promise<Verdict> => {
  const r = await sh.exec('for f in /root/marker /tmp/marker; do [ -e $f ] && echo "found $f"; done; true');
  const found = r.stdout.split('\n').filter((l) => l.startsWith('found'));
  if ((await hostKv!.read(KEY)) !== null) found.push(`found ${KEY} in XenStore`);
  return { state: found.length ? 'fail' : 'pass', message: found.join(', ') || 'nothing left behind' };
};
const reader = check('reader', 'find-nothing', look, { hostKv: true });
const coldReader = check('cold', 'find-nothing-after-boot', look, { hostKv: true, coldBoot: true });

async function runWith(t: Test, snapshots: 'per-suite' | 'per-cell') {
  const runDir = mkdtempSync(join(tmpdir(), 'pvconform-test-xen-fresh-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const config: XenConfig = { name: `xen-${snapshots}`, provider: 'xen', host: 'nested', type: 'pv', disks: 0, memoryMiB: 192, cpus: 1, extraKernelArgs: '', snapshots };
  const cell: Cell = {
    id: `linux-ref@xen-${snapshots}`,
    guest: { name: 'linux-ref', withoutDrivers: [], extraKernelArgs: '' },
    hypervisor: config,
    suites: ['skipper', 'writer', 'reader', 'cold'],
    checks: [skipper, writer, reader, coldReader],
  };
  const logs: string[] = [];
  const sink = new ResultSink(runDir);
  await runCell(cell, { run: 'test', plan: 'test', runDir, workRoot: runDir, sink, signal: new AbortController().signal, log: (_c, m) => (logs.push(m), t.comment(m)), notice: (m) => t.comment(m) });
  const console = readFileSync(join(runDir, 'artifacts', cellDirName(cell.id), 'console.log'), 'latin1');
  const inventory = readFileSync(join(runDir, 'artifacts', cellDirName(cell.id), 'dom0-inventory.txt'), 'utf8');
  return { results: Object.fromEntries(sink.results.map((r) => [r.check, r])) as Record<string, CheckResult>, boots: console.split(READY_MARKER).length - 1, logs, inventory };
}

const seconds = (logs: string[], re: RegExp) => {
  for (const l of logs) {
    const m = re.exec(l);
    if (m) return Number(m[1]);
  }
  return NaN;
};

t.test('images', async () => {
  await buildXenHost({ log: () => {} });
  await buildLinuxRef({ log: () => {} });
});

t.test('snapshots per suite on Xen: xl save at readiness, xl restore per suite', async (t) => {
  const { results: r, boots, logs, inventory } = await runWith(t, 'per-suite');
  t.equal(r['boot/ssh'].state, 'pass', r['boot/ssh'].message);
  t.match(logs.join('\n'), /guest state saved \(\d+ MiB\) in [\d.]+ s/, 'the domain was saved once it answered');
  t.match(r['skipper/needs-virtio'], { state: 'skip' }, 'the suite that cannot run here skips');
  t.notOk(logs.some((l) => l.startsWith('fresh guest for writer')), 'no restore after a suite whose checks all skipped');
  t.equal(r['writer/leave-state'].state, 'pass', r['writer/leave-state'].message);
  t.equal(r['reader/find-nothing'].state, 'pass', `the restored guest: ${r['reader/find-nothing'].message}`);
  t.ok(logs.some((l) => /^fresh guest for reader in \d+ ms$/.test(l)), 'the reader got a restored guest');
  t.notOk(logs.some((l) => l.startsWith('the suites of this cell share one guest')), 'no note of a shared guest');
  t.equal(r['cold/find-nothing-after-boot'].state, 'pass', `the cold-booted guest: ${r['cold/find-nothing-after-boot'].message}`);
  t.ok(logs.some((l) => /^fresh guest for cold in \d+ ms \(cold boot\)$/.test(l)), 'the cold suite got a domain created again');
  t.equal(boots, 2, 'the console shows the first boot and the cold boot, not one for the restore');
  t.match(inventory, /^leaks: none$/m, 'dom0 has nothing left (the saved state went with the cell folder)');
  const restoreMs = seconds(logs, /^fresh guest for reader in (\d+) ms$/);
  const createToSsh = seconds(logs, /domU create to SSH ([\d.]+) s/) * 1000;
  const saveS = seconds(logs, /guest state saved \(\d+ MiB\) in ([\d.]+) s/);
  t.comment(`figures: restore to SSH ${restoreMs} ms vs domU create to SSH ${createToSsh} ms (ratio ${(restoreMs / createToSsh).toFixed(2)}); xl save -c ${saveS} s`);
});

t.test('snapshots per cell on Xen: the suites share one domain', async (t) => {
  const { results: r, logs } = await runWith(t, 'per-cell');
  t.notOk(logs.some((l) => l.startsWith('guest state saved')), 'nothing saved');
  t.equal(r['writer/leave-state'].state, 'pass');
  t.match(r['reader/find-nothing'], { state: 'fail', message: /found \/root\/marker, found \/tmp\/marker, found data\/pvconform-left-behind in XenStore/ }, 'the reader finds what the writer left');
});

t.test('a saved state that does not restore: the suite gets a domain made again, and the log says why', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'pvconform-test-xen-badsave-'));
  const provider = new XenProvider();
  t.teardown(async () => {
    await provider.close();
    rmSync(runDir, { recursive: true, force: true });
  });
  const config: XenConfig = { name: 'xen-badsave', provider: 'xen', host: 'nested', type: 'pv', disks: 0, memoryMiB: 192, cpus: 1, extraKernelArgs: '' };
  const logs: string[] = [];
  const log = (m: string) => (logs.push(m), t.comment(m));
  const artifactsDir = join(runDir, 'artifacts', 'cell');
  const machine = await provider.boot(
    { cellId: 'linux-ref@xen-badsave', image: await resolveImage('linux-ref'), hypervisor: config, workDir: join(runDir, 'work'), artifactsDir, runDir, timeouts: scaled(BASE_TIMEOUTS, await provider.slowdown(config)), log, freshPerSuite: true },
    new AbortController().signal,
  );
  t.ok(machine.restoreFresh, 'the state was saved');
  const dom0 = new Dom0(await connectSsh(machine.ssh.via!, { deadline: Date.now() + 30_000, connectTimeoutMs: 10_000 }), 'dom0 (test)');
  t.teardown(() => dom0.close());
  const name = /^name = "([^"]+)"$/m.exec(readFileSync(join(artifactsDir, 'xl.cfg'), 'utf8'))![1];
  // The saved file cut short, as a full dom0 disk or a dying host would leave it.
  await dom0.must(`truncate -s 65536 /var/lib/pvconform/cells/${name}/fresh.save`, 10_000, 'cutting the saved state short');
  await machine.shell!.close();
  const sh = await machine.restoreFresh!();
  t.match(logs.join('\n'), /the saved state did not give a guest that answers \(xl restore .* failed/, 'the failed restore is named');
  t.match(logs.join('\n'), /xl create .* on nested Xen host[\s\S]*domain .* is domid \d+/, 'and the domain was made again');
  t.equal((await sh.exec('cat /sys/hypervisor/type')).stdout.trim(), 'xen', 'the suite has a guest that answers');
  t.equal(await machine.hostKv!.read('name'), name, 'the host half follows the new domid');
  await sh.close();
  const again = await machine.restoreFresh!();
  t.equal(logs.filter((l) => l.startsWith('the saved state did not')).length, 1, 'the next suite does not try the broken state again');
  await again.close();
  await machine.stop();
  t.equal(await dom0.domid(name), null, 'no domain left');
});
