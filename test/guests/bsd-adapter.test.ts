// The OpenBSD and NetBSD adapters: how they become root, which users they make, how they map
// virtio classes and read the attach tree, and (for real, on this machine) how they build and run
// the probe.
import t from 'tap';
import { rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { openbsdAdapter, OPENBSD_VIRTIO_DRIVERS } from '../../harness/guests/openbsd/adapter.ts';
import { netbsdAdapter, NETBSD_VIRTIO_DRIVERS } from '../../harness/guests/netbsd/adapter.ts';
import { createBsdAdapter, userAddCommand, virtioDevicesFromTree, wrapForRoot, wrongGroups } from '../../harness/guests/openbsd/bsd-adapter.ts';
import { parseBootLog } from '../../harness/bootlog/index.ts';
import { probeDirectory } from '../../suites/probe/build.ts';
import { parsePvbusReport } from '../../suites/probe/report.ts';
import { InfraError } from '../../harness/core/errors.ts';
import type { ExecResult, Shell } from '../../harness/core/shell.ts';
import { localShell } from './local-shell.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../shared/fixtures/dmesg/${name}`, import.meta.url), 'utf8');

t.test('virtio classes map to each OS\'s drivers', async (t) => {
  // virtio(4) on OpenBSD: vio, vioblk, vioscsi, viocon, viomb, viornd (guest-facts.md §7.2).
  t.same(OPENBSD_VIRTIO_DRIVERS, { net: 'vio', blk: 'vioblk', scsi: 'vioscsi', console: 'viocon', balloon: 'viomb', rng: 'viornd' });
  // NetBSD's virtio.4 SYNOPSIS: ld, viocon, vioif, viomb, viornd, vioscsi.
  t.same(NETBSD_VIRTIO_DRIVERS, { net: 'vioif', blk: 'ld', scsi: 'vioscsi', console: 'viocon', balloon: 'viomb', rng: 'viornd' });
  t.equal(openbsdAdapter.driverFor('blk'), 'vioblk');
  t.equal(netbsdAdapter.driverFor('blk'), 'ld');
  t.equal(openbsdAdapter.os, 'openbsd');
  t.equal(netbsdAdapter.os, 'netbsd');
});

t.test('virtio devices from a real attach tree', async (t) => {
  // NetBSD 9.1 on bhyve: "ld0 at virtio0" (Virtio Block Device), "vioif0 at virtio1" (Network).
  t.same(
    virtioDevicesFromTree(parseBootLog(fixture('netbsd-9.1_STABLE-bhyve-1.txt'))).map((d) => [d.name, d.class, d.deviceId, d.driver]),
    [
      ['virtio0', 'blk', 2, 'ld'],
      ['virtio1', 'net', 1, 'vioif'],
    ],
  );
  // OpenBSD 6.0-current on vmm: "virtio3: no matching child driver; not configured" must show as no driver.
  const vmm = virtioDevicesFromTree(parseBootLog(fixture('openbsd-6.0-current-vmm-1.txt')));
  t.ok(vmm.length > 0);
  for (const d of vmm) t.match(d.detail, d.driver ? new RegExp(`${d.driver}\\d+ at ${d.name}`) : /no driver attached/);
});

t.test('becoming root and the permission users', async (t) => {
  t.equal(wrapForRoot('direct', 'id -u'), 'id -u');
  t.equal(wrapForRoot('doas', "echo 'x'"), `doas -n sh -c 'echo '\\''x'\\'''`);
  t.equal(wrapForRoot('sudo', 'id -u'), "sudo -n sh -c 'id -u'");
  t.equal(wrapForRoot('su', 'id -u'), "su root -c 'id -u' </dev/null");
  t.match(userAddCommand('outsider'), /useradd -m -s \/bin\/sh pvcuser/);
  t.match(userAddCommand('wheel'), /useradd -m -s \/bin\/sh -G wheel pvcwheel/);
  t.equal(wrongGroups('outsider', 'pvcuser\n'), null);
  t.match(wrongGroups('outsider', 'pvcuser wheel\n'), /is in wheel/);
  t.equal(wrongGroups('wheel', 'pvcwheel wheel\n'), null);
  t.match(wrongGroups('wheel', 'users\n'), /not in wheel/);
});

/** TEST DOUBLE: a shell answering from a table (no BSD machine here); records what it was asked. */
function tableShell(answers: Array<[RegExp, Partial<ExecResult>]>): Shell & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async exec(command) {
      asked.push(command);
      const hit = answers.find(([re]) => re.test(command));
      return { code: 127, stdout: '', stderr: 'not scripted', durationMs: 1, ...(hit ? hit[1] : {}) };
    },
    async upload() {},
    async close() {},
  };
}

t.test('an unprivileged SSH user reaches root through doas on OpenBSD', async (t) => {
  const sh = tableShell([
    [/^id -u$/, { code: 0, stdout: '1000\n' }],
    [/^doas -n sh -c 'id -u'$/, { code: 0, stdout: '0\n' }],
    [/^doas -n sh -c 'cat \/var\/run\/dmesg.boot/, { code: 0, stdout: fixture('openbsd-6.7-kvm-3.txt') }],
    [/^doas -n sh -c 'id pvcuser/, { code: 0, stdout: 'pvcuser\n' }],
  ]);
  const adapter = createBsdAdapter({ os: 'openbsd', bootOs: 'OpenBSD', drivers: OPENBSD_VIRTIO_DRIVERS, elevations: ['doas', 'su'], suAs: (u, c) => `su ${u} -c ${c}` });
  const devices = await adapter.virtioDevices(sh);
  t.ok(devices.some((d) => d.driver === 'vio'), 'vio found on KVM');
  t.equal(await adapter.ensureUser(sh, 'outsider'), 'pvcuser');
  t.equal(await adapter.ensureUser(sh, 'outsider'), 'pvcuser');
  t.equal(sh.asked.filter((c) => c.includes('useradd')).length, 1, 'the user is made once per connection');
  t.equal(sh.asked.filter((c) => c === 'id -u').length, 1, 'elevation is found once');
  // A NetBSD log handed to the OpenBSD adapter is the harness's trouble.
  const wrongOs = tableShell([
    [/^id -u$/, { code: 0, stdout: '0\n' }],
    [/dmesg/, { code: 0, stdout: fixture('netbsd-9.1_STABLE-bhyve-1.txt') }],
  ]);
  await t.rejects(adapter.virtioDevices(wrongOs), InfraError);
});

t.test('no way to root is an InfraError naming what was tried', async (t) => {
  const sh = tableShell([[/^id -u$/, { code: 0, stdout: '1000\n' }]]);
  await t.rejects(netbsdAdapter.asRoot(sh, 'true'), { name: 'InfraError', message: /cannot become root.*sudo.*su/ });
});

t.test('a user that lands in the wrong group is refused', async (t) => {
  const sh = tableShell([
    [/^id -u$/, { code: 0, stdout: '0\n' }],
    [/useradd/, { code: 0, stdout: 'pvcuser wheel\n' }],
  ]);
  await t.rejects(netbsdAdapter.ensureUser(sh, 'outsider'), { name: 'InfraError', message: /is in wheel/ });
});

const notRoot = process.getuid?.() !== 0 ? 'the adapter runs the probe as root: needs root here' : false;

t.test('the probe is uploaded, built with cc and run for real (this machine as the guest)', { skip: notRoot }, async (t) => {
  const dir = probeDirectory();
  rmSync(dir, { recursive: true, force: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sh = localShell();
  const built = await openbsdAdapter.probe(sh);
  t.equal(built.path, `${dir}/pvprobe`);
  t.equal(built.compilerOutput, '', 'no warnings from cc -Wall -Wextra');
  t.ok(sh.commands.some((c) => c.startsWith('upload ')), 'the source was uploaded');
  t.ok(sh.commands.some((c) => /\bcc -Wall -Wextra -O2 -o pvprobe\.new pvprobe\.c/.test(c)), 'built with the guest flags');
  // Built once per connection; a second connection finds the binary already there.
  await openbsdAdapter.probe(sh);
  t.equal(sh.commands.filter((c) => c.includes(' cc ')).length, 1);
  const other = localShell();
  await netbsdAdapter.probe(other);
  t.notOk(other.commands.some((c) => c.includes(' cc ')), 'an existing build is reused');

  const run = await openbsdAdapter.asRoot(sh, `${built.path} pvbus -f /dev/null`);
  t.equal(run.code, 0);
  t.match(parsePvbusReport(run.stdout).devices[0].calls['type'], { ok: false, errno: 'ENOTTY' });
});
