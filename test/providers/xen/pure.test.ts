// The Xen provider's pure parts: the xl config, the guest's command line, xl's and
// xenstore-ls's output, addresses and MACs, the leak diff, the nested host's QEMU argv,
// and the xen.4-host verdicts. No host needed.
import t from 'tap';
import { xlConfig, guestCmdline } from '../../../harness/providers/xen/xl-config.ts';
import { parseXlList } from '../../../harness/providers/xen/dom0.ts';
import { parseXenstoreLs } from '../../../harness/providers/xen/xenstore-kv.ts';
import { AddressPool, xenMac, ipKernelArg } from '../../../harness/providers/xen/guest-network.ts';
import { leaks, type Dom0Inventory } from '../../../harness/providers/xen/inventory.ts';
import { nestedArgs } from '../../../harness/providers/xen/nested-command-line.ts';
import { sq } from '../../../harness/providers/xen/quote.ts';
import { parseXsClient, parseHostctlError } from '../../../suites/xen.4-host/guest-store.ts';
import { judgeHostReads, judgeRefusedWrite, judgeShutdown, judgeGuestRead } from '../../../suites/xen.4-host/verdicts.ts';
import { InfraError } from '../../../harness/core/errors.ts';
import type { XenHostImage } from '../../../vm-images/xen-host/image.ts';
import type { ShutdownObservation } from '../../../harness/core/offers.ts';

t.test('xl config: type, memory, the harness MAC on the bridge, direct boot', async (t) => {
  const cfg = xlConfig({ name: 'pvc-a', type: 'pvh', memoryMiB: 192, cpus: 2, mac: '00:16:3e:01:02:03', bridge: 'pvcbr0', boot: { kind: 'kernel', kernel: '/k', ramdisk: '/r', cmdline: 'console=hvc0 x=1' } });
  t.match(cfg, /^name = "pvc-a"$/m);
  t.match(cfg, /^type = "pvh"$/m);
  t.match(cfg, /^memory = 192$/m);
  t.match(cfg, /^vcpus = 2$/m);
  t.match(cfg, /^vif = \[ "mac=00:16:3e:01:02:03,bridge=pvcbr0" \]$/m);
  t.match(cfg, /^kernel = "\/k"$/m);
  t.match(cfg, /^ramdisk = "\/r"$/m);
  t.match(cfg, /^cmdline = "console=hvc0 x=1"$/m);
  t.match(cfg, /^on_crash = "preserve"$/m);
  t.notMatch(cfg, /^disk/m);
});

t.test('xl config: a disk image gets one disk, target last; HVM boots from it', async (t) => {
  const cfg = xlConfig({ name: 'pvc-b', type: 'hvm', memoryMiB: 512, cpus: 1, mac: '00:16:3e:00:00:01', bridge: 'br', boot: { kind: 'disk', target: '/c/disk.qcow2', format: 'qcow2' } });
  t.match(cfg, /^disk = \[ "format=qcow2,vdev=xvda,access=rw,target=\/c\/disk.qcow2" \]$/m);
  t.match(cfg, /^boot = "c"$/m);
  t.notMatch(cfg, /^kernel/m);
});

t.test('xl config: data disks are raw xvdb, xvdc... after the boot disk', async (t) => {
  const direct = xlConfig({ name: 'pvc-c', type: 'pv', memoryMiB: 192, cpus: 1, mac: 'm', bridge: 'b', dataDisks: ['/c/data-0.raw', '/c/data-1.raw'], boot: { kind: 'kernel', kernel: '/k', ramdisk: '/r', cmdline: '' } });
  t.match(direct, /^disk = \[ "format=raw,vdev=xvdb,access=rw,target=\/c\/data-0.raw", "format=raw,vdev=xvdc,access=rw,target=\/c\/data-1.raw" \]$/m);
  const disk = xlConfig({ name: 'pvc-d', type: 'hvm', memoryMiB: 512, cpus: 1, mac: 'm', bridge: 'b', dataDisks: ['/c/data-0.raw'], boot: { kind: 'disk', target: '/c/disk.qcow2', format: 'qcow2' } });
  t.match(disk, /^disk = \[ "format=qcow2,vdev=xvda,access=rw,target=\/c\/disk.qcow2", "format=raw,vdev=xvdb,access=rw,target=\/c\/data-0.raw" \]$/m);
});

t.test('xl config refuses what its strings cannot carry', async (t) => {
  t.throws(() => xlConfig({ name: 'a"b', type: 'pv', memoryMiB: 64, cpus: 1, mac: 'm', bridge: 'b', boot: { kind: 'kernel', kernel: 'k', ramdisk: 'r', cmdline: '' } }), InfraError);
});

t.test("the guest's command line swaps its serial console for hvc0 and keeps the rest", async (t) => {
  t.equal(guestCmdline('console=ttyS0 panic=-1 quiet', [ipKernelArg('10.99.0.10'), '', 'foo=1']), 'panic=-1 quiet console=hvc0 pvconform.ip=10.99.0.10/24,10.99.0.1 foo=1');
});

t.test('xl list and xenstore-ls output', async (t) => {
  const rows = parseXlList('Name                                        ID   Mem VCPUs\tState\tTime(s)\nDomain-0                                     0   512     2     r-----      59.1\npvc-x                                        3   192     1     ---s--       2.3\n');
  t.same(rows, [
    { name: 'Domain-0', id: 0, memMiB: 512, state: 'r-----' },
    { name: 'pvc-x', id: 3, memMiB: 192, state: '---s--' },
  ]);
  t.same(parseXenstoreLs('/local/domain/1/data = ""\n/local/domain/1/data/a = "x y"   (n1)\nnoise\n'), [
    { path: '/local/domain/1/data', value: '' },
    { path: '/local/domain/1/data/a', value: 'x y' },
  ]);
});

t.test('addresses are handed out once; MACs are Xen-OUI, stable and distinct', async (t) => {
  const pool = new AddressPool();
  const a = pool.take();
  const b = pool.take();
  t.not(a, b);
  pool.release(a);
  t.equal(pool.take(), a, 'a released address is reused');
  t.match(xenMac('c1', a), /^00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
  t.equal(xenMac('c1', a), xenMac('c1', a));
  t.not(xenMac('c1', a), xenMac('c2', a));
});

t.test('the leak diff names what appeared during a cell', async (t) => {
  const before: Dom0Inventory = { domains: ['Domain-0 (0)'], xenstoreDomains: ['0'], cellDirs: [], loopDevices: [], backends: [], vifs: [] };
  t.same(leaks(before, before), []);
  const after: Dom0Inventory = { domains: ['Domain-0 (0)', 'pvc-x (4)'], xenstoreDomains: ['0', '4'], cellDirs: ['pvc-x'], loopDevices: ['/dev/loop0'], backends: ['vbd/4'], vifs: ['vif4.0'] };
  t.same(leaks(before, after), [
    'domain pvc-x (4) still exists',
    'XenStore still has /local/domain/4',
    'dom0 still has /var/lib/pvconform/cells/pvc-x',
    'loop device /dev/loop0 is still attached',
    'XenStore still has /local/domain/0/backend/vbd/4',
    'interface vif4.0 still exists',
  ]);
});

t.test("the nested host's QEMU argv: multiboot Xen, dom0 as modules, the TCG traps avoided", async (t) => {
  const image = { files: { xen: '/i/xen', dom0Kernel: '/i/vmlinuz', dom0Initrd: '/i/dom0.cpio.gz' }, cpu: 'max,-smap,-rdtscp,-xsave', memoryMiB: 1536, cpus: 2, xenArgs: 'console=com1', dom0Args: 'console=hvc0' } as unknown as XenHostImage;
  const args = nestedArgs(image, { consoleLog: '/l', qmpSocket: '/q' }, true);
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  t.equal(after('-kernel'), '/i/xen');
  t.equal(after('-initrd'), '/i/vmlinuz console=hvc0,/i/dom0.cpio.gz');
  t.equal(after('-cpu'), 'max,-smap,-rdtscp,-xsave');
  t.equal(after('-incoming'), 'defer');
  t.match(after('-netdev'), /hostfwd=tcp:127\.0\.0\.1:0-:22/);
  t.notOk(nestedArgs(image, { consoleLog: '/l', qmpSocket: '/q' }, false).includes('-incoming'));
  const bad = { ...image, files: { ...image.files, dom0Initrd: '/a,b/dom0.cpio.gz' } } as XenHostImage;
  t.throws(() => nestedArgs(bad, { consoleLog: '/l', qmpSocket: '/q' }, false), InfraError, 'a comma would split the module list');
});

t.test('shell quoting survives quotes', async (t) => {
  t.equal(sq("it's"), `'it'\\''s'`);
});

t.test('guest tools: xs-client lines and hostctl errors', async (t) => {
  t.same(parseXsClient('ok hello world\n', 'r'), { ok: true, value: 'hello world', error: null });
  t.same(parseXsClient('ok\n', 'w'), { ok: true, value: '', error: null });
  t.same(parseXsClient('error EACCES\n', 'w'), { ok: false, value: '', error: 'EACCES' });
  t.throws(() => parseXsClient('fail open /dev/xen/xenbus: No such file or directory\n', 'r'), InfraError);
  t.equal(parseHostctlError('hostctl: ioctl: Permission denied\n'), 'EACCES');
  t.equal(parseHostctlError('hostctl: ioctl: Something new\n'), 'Something new');
});

t.test('verdicts: each can pass and each can fail', async (t) => {
  const ok = { ok: true, value: '', error: null };
  const props: Array<[string, string]> = [['data/a', '1'], ['data/b', '2']];
  t.equal(judgeHostReads('/h', [{ key: 'data/a', reply: ok }], props, { 'data/a': '1', 'data/b': '2' }).state, 'pass');
  t.equal(judgeHostReads('/h', [{ key: 'data/a', reply: ok }], props, { 'data/a': '1', 'data/b': null }).state, 'fail');
  t.equal(judgeHostReads('/h', [{ key: 'data/a', reply: { ok: false, value: '', error: 'EACCES' } }], props, { 'data/a': '1', 'data/b': '2' }).state, 'fail');
  t.equal(judgeGuestRead('k', 'v', { ok: true, value: 'v', error: null }).state, 'pass');
  t.equal(judgeGuestRead('k', 'v', { ok: true, value: 'w', error: null }).state, 'fail');
  t.equal(judgeRefusedWrite('/p', { ok: false, value: '', error: 'EACCES' }, null).state, 'pass');
  t.equal(judgeRefusedWrite('/p', { ok: true, value: '', error: null }, 'x').state, 'fail');
  t.equal(judgeRefusedWrite('/p', { ok: false, value: '', error: 'EINVAL' }, null).state, 'fail');
  t.equal(judgeRefusedWrite('/p', { ok: false, value: '', error: 'EACCES' }, 'x').state, 'fail');
  const obs: ShutdownObservation = { requested: true, requestDetail: '', acknowledgedMs: 900, stoppedMs: 2000, outcome: 'powered off', consoleAfter: 'line\nreboot: Power down\n' };
  t.equal(judgeShutdown(obs, 60_000, 'line').state, 'pass');
  t.equal(judgeShutdown(obs, 60_000, 'other').state, 'fail', 'the guest must log it');
  t.equal(judgeShutdown({ ...obs, outcome: 'still running', stoppedMs: null }, 60_000, null).state, 'fail');
  t.equal(judgeShutdown({ ...obs, outcome: 'rebooted' }, 60_000, null).state, 'fail');
  t.equal(judgeShutdown({ ...obs, requested: false }, 60_000, null).state, 'fail');
});
