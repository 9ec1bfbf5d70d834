// pvbus(4)'s verdicts on boot logs and probe reports written from guest-facts.md §1 and §3.
import t from 'tap';
import * as v from '../../suites/pvbus.4/verdicts.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { fixture, openbsdWithPvbus } from './boot-logs.ts';
import { call, hypervRoot, kvmRoot, node, report, tcgRoot, userReport, xenRoot, XEN_MAC } from './probe-reports.ts';
import type { PvbusReport } from '../../suites/probe/report.ts';

/** A deep copy to break one fact of a fact-built report. */
const edit = (r: PvbusReport, change: (r: PvbusReport) => void): PvbusReport => {
  const copy = structuredClone(r);
  change(copy);
  return copy;
};

t.test('attach-line', async (t) => {
  // Real log, OpenBSD 6.7 on KVM: "pvbus0 at mainbus0: KVM".
  t.match(v.judgeAttachLine(fixture('openbsd-6.7-kvm-3.txt'), ['KVM']), { state: 'pass', message: /KVM/ });
  // Real log, OpenBSD 6.0-current on Xen HVM (EC2): "pvbus0 at mainbus0: Xen 4.2".
  t.match(v.judgeAttachLine(fixture('openbsd-6.0-current-xen-hvm-1.txt'), ['Xen']), { state: 'pass' });
  // §1.2: KVM with Hyper-V enlightenments prints "KVM, Hyper-V 0.0", table order whatever the offer's order.
  t.match(v.judgeAttachLine(openbsdWithPvbus('KVM, Hyper-V 0.0'), ['Hyper-V', 'KVM']), { state: 'pass' });
  // §1.2: the line follows pvbus_types[] order, not CPUID-leaf order: "Hyper-V 0.0, KVM" is wrong.
  t.match(v.judgeAttachLine(openbsdWithPvbus('Hyper-V 0.0, KVM'), ['KVM', 'Hyper-V']), { state: 'fail', message: /table order/ });
  // An interface offered but not detected.
  t.match(v.judgeAttachLine(fixture('openbsd-6.7-kvm-3.txt'), ['KVM', 'Hyper-V']), { state: 'fail', message: /provider offers KVM, Hyper-V/ });
  // §1.2: Xen is printed with " %u.%u"; without it the line is not pvbus.c's.
  t.match(v.judgeAttachLine(openbsdWithPvbus('Xen'), ['Xen']), { state: 'fail', message: /without its "major.minor"/ });
  // §1.2: on bare metal (or TCG: no signature) no pvbus line at all.
  t.match(v.judgeAttachLine(openbsdWithPvbus(null), []), { state: 'pass', message: /no pvbus0 attached/ });
  t.match(v.judgeAttachLine(openbsdWithPvbus('KVM'), []), { state: 'fail', message: /offers no hypervisor interface/ });
  t.match(v.judgeAttachLine(openbsdWithPvbus(null), ['KVM']), { state: 'fail', message: /no pvbus0 line/ });
});

t.test('device-per-interface', async (t) => {
  // §1.3: on KVM pvbus0 opens and pvbus1 (made by MAKEDEV all) answers ENXIO.
  t.match(v.judgeDevicePerInterface(kvmRoot(), ['KVM']), { state: 'pass', message: /pvbus1 answers ENXIO/ });
  // §1.3: pvbus not attached (TCG): ENODEV on every node.
  t.match(v.judgeDevicePerInterface(tcgRoot(), []), { state: 'pass', message: /ENODEV/ });
  // A node past the detected interfaces that opens anyway.
  t.match(v.judgeDevicePerInterface(kvmRoot(), []), { state: 'fail', message: /opens although only 0/ });
  // Two interfaces offered (KVM + Hyper-V) but pvbus1 refuses: it should be Hyper-V's.
  t.match(v.judgeDevicePerInterface(kvmRoot(), ['KVM', 'Hyper-V']), { state: 'fail', message: /pvbus1 \(for Hyper-V\) does not open: ENXIO/ });
  // The wrong errno past the end.
  const wrongErrno = edit(kvmRoot(), (r) => (r.devices[1].openRdonly = { ok: false, errno: 'ENODEV' }));
  t.match(v.judgeDevicePerInterface(wrongErrno, ['KVM']), { state: 'fail', message: /ENODEV, expected ENXIO/ });
  // No node at all and nothing offered: nothing to judge.
  const none = report([node(0, { stat: { ok: false, errno: 'ENOENT' }, open: 'ENOENT' })]);
  t.match(v.judgeDevicePerInterface(none, []), { state: 'skip' });
});

t.test('device-permissions', async (t) => {
  // §3: MAKEDEV makes root:wheel 0640 character nodes.
  t.match(v.judgeDevicePermissions(kvmRoot()), { state: 'pass', message: /char root:wheel 0640/ });
  const loose = edit(kvmRoot(), (r) => {
    const s = r.devices[0].stat;
    if (s.ok) s.mode = '0666';
  });
  t.match(v.judgeDevicePermissions(loose), { state: 'fail', message: /pvbus0 is char root:wheel 0666/ });
  const staff = edit(kvmRoot(), (r) => {
    const s = r.devices[1].stat;
    if (s.ok) (s.group = 'staff'), (s.gid = 20);
  });
  t.match(v.judgeDevicePermissions(staff), { state: 'fail', message: /root:staff/ });
  t.match(v.judgeDevicePermissions(report([node(0, { stat: { ok: false, errno: 'ENOENT' } })])), { state: 'fail', message: /no \/dev\/pvbus\* node/ });
});

t.test('type-per-minor', async (t) => {
  t.match(v.judgeTypePerMinor(kvmRoot(), ['KVM']), { state: 'pass', message: 'pvbus0=KVM' });
  t.match(v.judgeTypePerMinor(xenRoot(), ['Xen']), { state: 'pass', message: 'pvbus0=Xen' });
  // §1.3: the minor counts detected interfaces in table order; with KVM + Hyper-V, pvbus0 is KVM.
  const both = report([node(0, { calls: { type: call('TYPE', 'rdonly', 256, 0, { value: 'KVM' }) } }), node(1, { calls: { type: call('TYPE', 'rdonly', 256, 0, { value: 'Hyper-V' }) } })]);
  t.match(v.judgeTypePerMinor(both, ['Hyper-V', 'KVM']), { state: 'pass', message: 'pvbus0=KVM, pvbus1=Hyper-V' });
  const swapped = report([node(0, { calls: { type: call('TYPE', 'rdonly', 256, 0, { value: 'Hyper-V' }) } }), node(1, { calls: { type: call('TYPE', 'rdonly', 256, 0, { value: 'KVM' }) } })]);
  t.match(v.judgeTypePerMinor(swapped, ['KVM', 'Hyper-V']), { state: 'fail', message: /says "Hyper-V", expected "KVM"/ });
  // §1.2: bhyve is detected and typed, though pvbus.4's list does not name it: pass, with a note.
  const bhyve = report([node(0, { calls: { type: call('TYPE', 'rdonly', 256, 0, { value: 'bhyve' }) } })]);
  t.match(v.judgeTypePerMinor(bhyve, ['bhyve']), { state: 'pass', message: /does not name it/ });
  t.match(v.judgeTypePerMinor(tcgRoot(), []), { state: 'skip' });
});

t.test('type-short-buffer', async (t) => {
  // §1.4 step 4: pvr_keylen < strlen(name)+1 gives ENOMEM.
  t.match(v.judgeTypeShortBuffer(kvmRoot()), { state: 'pass', message: /keylen 3 for "KVM" gives ENOMEM/ });
  const truncates = edit(kvmRoot(), (r) => (r.devices[0].calls['type-short'] = call('TYPE', 'rdonly', 3, 0, { value: 'KVM' })));
  t.match(v.judgeTypeShortBuffer(truncates), { state: 'fail', message: /succeeded/ });
  t.match(v.judgeTypeShortBuffer(tcgRoot()), { state: 'skip' });
});

t.test('kvread-erange', async (t) => {
  // §5.1: xs_kvop gives ERANGE when the result does not fit.
  t.match(v.judgeKvreadErange(xenRoot(), 'xenstore'), { state: 'pass', message: /ERANGE both/ });
  // §4.3: Hyper-V answers ERANGE below 1024 bytes anyway.
  t.match(v.judgeKvreadErange(hypervRoot(), 'hyperv-kvp'), { state: 'pass' });
  const truncated = edit(xenRoot(), (r) => (r.devices[0].calls['kvread-short'] = call('KVREAD', 'rdonly', 17, 17, { value: XEN_MAC.slice(0, 16) })));
  t.match(v.judgeKvreadErange(truncated, 'xenstore'), { state: 'fail', message: /not ERANGE/ });
  // The offered store is not reachable through any node.
  t.match(v.judgeKvreadErange(kvmRoot(), 'xenstore'), { state: 'fail', message: /no \/dev\/pvbusN reports Xen/ });
  // The harness's key does not exist: the harness's trouble, not the guest's.
  const unreadable = edit(xenRoot(), (r) => {
    r.devices[0].calls['kvread-64k'] = call('KVREAD', 'rdonly', 17, 65536, { errno: 'ENOENT' });
    r.devices[0].calls['kvread-4096'] = call('KVREAD', 'rdonly', 17, 4096, { errno: 'ENOENT' });
  });
  t.throws(() => v.judgeKvreadErange(unreadable, 'xenstore'), InfraError);
});

t.test('kvread-exact-fit', async (t) => {
  t.match(v.judgeKvreadExactFit(xenRoot(), 'xenstore'), { state: 'pass', message: /exactly 18 bytes/ });
  // §4.3: hypervic.c wants >= 1024 bytes whatever the value: the page's promise breaks on Hyper-V.
  t.match(v.judgeKvreadExactFit(hypervRoot(), 'hyperv-kvp'), { state: 'fail', message: /1024 bytes/ });
  t.match(v.judgeKvreadExactFit(kvmRoot(), 'hyperv-kvp'), { state: 'fail', message: /no \/dev\/pvbusN reports Hyper-V/ });
});

t.test('kvwrite-needs-write-permission', async (t) => {
  // §1.4 step 2: EPERM on O_RDONLY comes before the ENXIO of a store-less interface.
  t.match(v.judgeKvwriteReadonly(kvmRoot()), { state: 'pass', message: /O_RDONLY: EPERM, O_RDWR: ENXIO/ });
  t.match(v.judgeKvwriteReadonly(xenRoot()), { state: 'pass', message: /O_RDWR: ok/ });
  const performed = edit(xenRoot(), (r) => (r.devices[0].calls['kvwrite-rdonly'] = call('KVWRITE', 'rdonly', 17, 10, { value: '' })));
  t.match(v.judgeKvwriteReadonly(performed), { state: 'fail', message: /gave ok, expected EPERM/ });
  const bothRefused = edit(xenRoot(), (r) => (r.devices[0].calls['kvwrite-rdwr'] = call('KVWRITE', 'rdwr', 17, 10, { errno: 'EPERM' })));
  t.match(v.judgeKvwriteReadonly(bothRefused), { state: 'fail', message: /O_RDWR descriptor also gave EPERM/ });
  t.match(v.judgeKvwriteReadonly(tcgRoot()), { state: 'skip' });
});

t.test('kv-enxio-without-store', async (t) => {
  // §1.5: no hv_kvop on KVM.
  t.match(v.judgeNoKvEnxio(kvmRoot()), { state: 'pass', message: /pvbus0 \(KVM\)/ });
  const answers = edit(kvmRoot(), (r) => (r.devices[0].calls['kvread-64k'] = call('KVREAD', 'rdonly', 19, 65536, { errno: 'ENOENT' })));
  t.match(v.judgeNoKvEnxio(answers), { state: 'fail', message: /gave ENOENT, expected ENXIO/ });
  t.match(v.judgeNoKvEnxio(xenRoot()), { state: 'skip' });
});

t.test('length-bounds', async (t) => {
  const r76 = { major: 7, minor: 6 };
  // §1.4 step 6 with the 2023 bound (65536).
  t.match(v.judgeLengthBounds(xenRoot(), 'xenstore', r76), { state: 'pass', message: /bound 65536/ });
  // The PAGE_SIZE bound of older kernels: 4097 and 65536 are ENAMETOOLONG too; a 7.2 guest expects it.
  const old = edit(xenRoot(), (r) => {
    for (const n of ['kvread-keylen-4097', 'kvread-valuelen-4097', 'kvread-64k']) r.devices[0].calls[n] = { ...r.devices[0].calls[n], ok: false, errno: 'ENAMETOOLONG', value: null };
  });
  t.match(v.judgeLengthBounds(old, 'xenstore', { major: 7, minor: 2 }), { state: 'pass', message: /bound 4096 \(PAGE_SIZE\): above it ENAMETOOLONG$/ });
  t.match(v.judgeLengthBounds(old, 'xenstore', r76), { state: 'pass', message: /GAPS 2/ });
  const zeroAccepted = edit(xenRoot(), (r) => (r.devices[0].calls['kvread-keylen-0'] = call('KVREAD', 'rdonly', 0, 65536, { errno: 'ENOENT' })));
  t.match(v.judgeLengthBounds(zeroAccepted, 'xenstore', r76), { state: 'fail', message: /keylen-0 gave ENOENT, expected EINVAL/ });
  const inconsistent = edit(xenRoot(), (r) => (r.devices[0].calls['kvread-keylen-4097'] = call('KVREAD', 'rdonly', 4097, 65536, { errno: 'ENAMETOOLONG' })));
  t.match(v.judgeLengthBounds(inconsistent, 'xenstore', r76), { state: 'fail', message: /inconsistent bound/ });
});

t.test('outsider-eacces and wheel-read-only', async (t) => {
  // §3: root:wheel 0640: no open at all outside wheel; read-only for wheel.
  t.match(v.judgeOutsider(userReport('outsider', ['KVM'])), { state: 'pass' });
  const opened = edit(userReport('outsider', ['KVM']), (r) => (r.devices[0].openRdonly = { ok: true, errno: null }));
  t.match(v.judgeOutsider(opened), { state: 'fail', message: /O_RDONLY: opened/ });
  t.throws(() => v.judgeOutsider(kvmRoot()), InfraError, 'a probe run as root proves nothing about users');

  t.match(v.judgeWheelMember(userReport('wheel', ['KVM']), ['KVM']), { state: 'pass' });
  const writable = edit(userReport('wheel', ['KVM']), (r) => (r.devices[0].openRdwr = { ok: true, errno: null }));
  t.match(v.judgeWheelMember(writable, ['KVM']), { state: 'fail', message: /O_RDWR: opened, expected EACCES/ });
  t.match(v.judgeWheelMember(userReport('wheel', []), []), { state: 'skip' });
});

t.test('ioctl-names: manual against header', async (t) => {
  // §1.1: pvbus.4 rev 1.14 documents PVBUSIOC_KVTYPE; pvvar.h defines PVBUSIOC_TYPE.
  const page = '.It Dv PVBUSIOC_KVREAD\nRead the value\n.It Dv PVBUSIOC_KVTYPE\nReturn the type\n.It Dv PVBUSIOC_KVWRITE\nWrite\n';
  const header = '#define PVBUSIOC_KVREAD\t_IOWR(\'V\', 1, struct pvbus_req)\n#define PVBUSIOC_KVWRITE\t_IOWR(\'V\', 2, struct pvbus_req)\n#define PVBUSIOC_TYPE\t_IOWR(\'V\', 3, struct pvbus_req)\n';
  t.match(v.judgeIoctlNames(page, header), { state: 'fail', message: /documents PVBUSIOC_KVTYPE, which <dev\/pv\/pvvar.h> does not define/ });
  // A page that names the header's command passes.
  t.match(v.judgeIoctlNames(page.replace('KVTYPE', 'TYPE'), header), { state: 'pass' });
  t.match(v.judgeIoctlNames(null, header), { state: 'skip', message: /not installed/ });
  t.match(v.judgeIoctlNames(page, null), { state: 'skip' });
});
