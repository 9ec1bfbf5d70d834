// pvbus(4) on OpenBSD: the attach line, the /dev/pvbusN nodes and their ioctls, as the page and
// pvbus.c (guest-facts.md §1, §3) have them.
import type { CheckContext, Verdict } from '../../harness/core/checks.ts';
import type { KvStore } from '../../harness/core/offers.ts';
import type { DocumentedCheck } from '../probe/check-kit.ts';
import { man, source, skip } from '../probe/check-kit.ts';
import { bootTree } from '../probe/gather.ts';
import { installedPageAndHeader, rootReport, userReport } from './gather.ts';
import * as v from './verdicts.ts';

const SUITE = 'pvbus.4';

/** Key/value checks need a store; the page promises them only where one is "supported". */
function withStore(ctx: CheckContext, judge: (store: KvStore) => Promise<Verdict>): Promise<Verdict> {
  const store = ctx.offers.kvStore;
  return store
    ? judge(store)
    : Promise.resolve(skip(`no key/value store offered here (interfaces: ${ctx.offers.interfaces.join(', ') || 'none'}); KVM, bhyve and vmm have none`));
}

export const checks: DocumentedCheck[] = [
  {
    id: `${SUITE}/attach-line`,
    suite: SUITE,
    title: 'pvbus0 lists exactly the offered hypervisor interfaces, in table order',
    citation: man(SUITE, 'The pvbus driver is responsible for detecting the hypervisor interface, checking the capabilities, attaching the paravirtual devices, and providing access to supported information stores.'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'pass: "pvbus0 at mainbus0: KVM" (plus ", Hyper-V x.y" with enlightenments)',
      'qemu/tcg': 'pass: no signature, no pvbus0 line',
      xen: 'pass: "pvbus0 at mainbus0: Xen 4.x" ("Hyper-V x.y, Xen 4.x" with viridian)',
      hyperv: 'pass: "pvbus0 at mainbus0: Hyper-V 10.0"',
    },
    async run(ctx) {
      return v.judgeAttachLine(await bootTree(ctx), ctx.offers.interfaces);
    },
  },
  {
    id: `${SUITE}/device-per-interface`,
    suite: SUITE,
    title: 'one /dev/pvbusN opens per detected interface; nodes past them give ENXIO (ENODEV without pvbus)',
    citation: man(SUITE, 'Each detected hypervisor interface is available as a character special device file, /dev/pvbus0, /dev/pvbus1, etc.'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'pass: pvbus0 opens, pvbus1 gives ENXIO',
      'qemu/tcg': 'pass: pvbus0 and pvbus1 give ENODEV',
      xen: 'pass: pvbus0 opens (pvbus1 too with viridian)',
      hyperv: 'pass: pvbus0 opens, pvbus1 gives ENXIO',
    },
    async run(ctx) {
      return v.judgeDevicePerInterface(await rootReport(ctx), ctx.offers.interfaces);
    },
  },
  {
    id: `${SUITE}/device-permissions`,
    suite: SUITE,
    title: '/dev/pvbus* are character devices, root:wheel, mode 0640',
    citation: source('MAKEDEV creates each pvbus node with mode 640 and the default group wheel: root:wheel crw-r-----', 'guest-facts.md §3 (etc/MAKEDEV.common rev 1.124, pvbus entry)'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'pass', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      return v.judgeDevicePermissions(await rootReport(ctx));
    },
  },
  {
    id: `${SUITE}/type-per-minor`,
    suite: SUITE,
    title: 'PVBUSIOC_TYPE on minor N names the N-th detected interface',
    citation: man(SUITE, 'Return the type of the attached hypervisor interface as a string in pvr_key; see Supported hypervisors.'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'pass: pvbus0 = "KVM"',
      'qemu/tcg': 'skip: no interface offered',
      xen: 'pass: pvbus0 = "Xen" (with viridian: pvbus0 = "Hyper-V", pvbus1 = "Xen")',
      hyperv: 'pass: pvbus0 = "Hyper-V"',
    },
    async run(ctx) {
      return v.judgeTypePerMinor(await rootReport(ctx), ctx.offers.interfaces);
    },
  },
  {
    id: `${SUITE}/type-short-buffer`,
    suite: SUITE,
    title: 'PVBUSIOC_TYPE with a key buffer one byte short of name + NUL gives ENOMEM',
    citation: source('PVBUSIOC_TYPE copies the name and its NUL into pvr_key; pvr_keylen < strlen(name)+1 gives ENOMEM', 'guest-facts.md §1.4 step 4 (pvbus.c pvbusioctl)'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'skip: no minor answers TYPE', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      return v.judgeTypeShortBuffer(await rootReport(ctx));
    },
  },
  {
    id: `${SUITE}/kvread-erange`,
    suite: SUITE,
    title: 'PVBUSIOC_KVREAD with too small a value buffer fails with ERANGE',
    citation: man(SUITE, 'If pvr_valuelen is not enough for the value, the command will fail and errno(2) is set to ERANGE.'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'skip: no store', 'qemu/tcg': 'skip: no store', xen: 'pass (device/vif/0/mac)', hyperv: 'pass (Auto/OSName)' },
    async run(ctx) {
      return withStore(ctx, async (store) => v.judgeKvreadErange(await rootReport(ctx), store));
    },
  },
  {
    id: `${SUITE}/kvread-exact-fit`,
    suite: SUITE,
    title: 'PVBUSIOC_KVREAD into a buffer of exactly value + NUL succeeds',
    citation: man(SUITE, 'If pvr_valuelen is not enough for the value, the command will fail and errno(2) is set to ERANGE.'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'skip: no store',
      'qemu/tcg': 'skip: no store',
      xen: 'pass',
      hyperv: 'fail: hypervic.c wants at least 1024 bytes of value buffer whatever the value (guest-facts.md §4.3); the page does not say so',
    },
    async run(ctx) {
      return withStore(ctx, async (store) => v.judgeKvreadExactFit(await rootReport(ctx), store));
    },
  },
  {
    id: `${SUITE}/kvwrite-needs-write-permission`,
    suite: SUITE,
    title: 'PVBUSIOC_KVWRITE on an O_RDONLY descriptor gives EPERM (and not on O_RDWR)',
    citation: man(SUITE, 'This command requires write permissions on the device file.'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'pass: EPERM before the ENXIO of a store-less interface',
      'qemu/tcg': 'skip: no node opens',
      xen: 'pass',
      hyperv: 'pass',
    },
    async run(ctx) {
      return v.judgeKvwriteReadonly(await rootReport(ctx));
    },
  },
  {
    id: `${SUITE}/kv-enxio-without-store`,
    suite: SUITE,
    title: 'KVREAD and KVWRITE on an interface without a key/value store give ENXIO',
    citation: source('KVREAD or KVWRITE when the hypervisor has no kv backend (hv_kvop == NULL) gives ENXIO: KVM, bhyve and OpenBSD vmm', 'guest-facts.md §1.4 step 3, §1.5 (pvbus.c pvbusioctl)'),
    requires: { interfaces: ['KVM'] },
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'skip: KVM not offered', xen: 'skip: KVM not offered', hyperv: 'skip: KVM not offered' },
    async run(ctx) {
      return v.judgeNoKvEnxio(await rootReport(ctx));
    },
  },
  {
    id: `${SUITE}/length-bounds`,
    suite: SUITE,
    title: 'buffer lengths of 0 give EINVAL, above PVBUS_KVOP_MAXSIZE ENAMETOOLONG',
    citation: source('pvbusgetstr: a buffer length < 1 gives EINVAL, > PVBUS_KVOP_MAXSIZE (65536; PAGE_SIZE before 2023) ENAMETOOLONG', 'guest-facts.md §1.4 step 6 (pvbus.c pvbusgetstr, pvvar.h rev 1.11)'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'skip: no store (ENXIO comes first)', 'qemu/tcg': 'skip: no store', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      return withStore(ctx, async (store) => v.judgeLengthBounds(await rootReport(ctx), store, (await bootTree(ctx)).releaseNumber));
    },
  },
  {
    id: `${SUITE}/outsider-eacces`,
    suite: SUITE,
    title: 'a user outside wheel cannot open /dev/pvbus* (EACCES)',
    citation: source('pvbus nodes are root:wheel 0640: a user outside wheel fails at open() with EACCES', 'guest-facts.md §3 (MAKEDEV), §2.2 (hostctl opens O_RDONLY first)'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'pass', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      return v.judgeOutsider(await userReport(ctx, 'outsider'));
    },
  },
  {
    id: `${SUITE}/wheel-read-only`,
    suite: SUITE,
    title: 'a wheel member opens /dev/pvbus* read-only (TYPE works) but not read-write',
    citation: man(SUITE, 'This command requires write permissions on the device file.'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'skip: no interface', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      return v.judgeWheelMember(await userReport(ctx, 'wheel'), ctx.offers.interfaces);
    },
  },
  {
    id: `${SUITE}/ioctl-names`,
    suite: SUITE,
    title: 'every ioctl the installed pvbus.4 names is defined by <dev/pv/pvvar.h> (manual against header)',
    citation: man(SUITE, 'The following ioctl(2) commands are available:'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'fail while pvbus.4 names PVBUSIOC_KVTYPE and the header defines PVBUSIOC_TYPE (guest-facts.md §1.1)',
      'qemu/tcg': 'as qemu/kvm: the finding does not depend on the hypervisor',
      xen: 'as qemu/kvm',
      hyperv: 'as qemu/kvm',
    },
    async run(ctx) {
      const { page, header } = await installedPageAndHeader(ctx);
      return v.judgeIoctlNames(page, header);
    },
  },
];
