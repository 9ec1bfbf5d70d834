// xenbus(4) on NetBSD: the bus and its frontends attach, and userland reads and writes XenStore
// through /kern/xen/xenbus (guest-facts.md §8.1), spoken to by the probe.
import type { CheckContext } from '../../harness/core/checks.ts';
import type { DocumentedCheck } from '../probe/check-kit.ts';
import { freshName, man, pollUntil, source } from '../probe/check-kit.ts';
import { bootTree, onHost, xenbusProbe } from '../probe/gather.ts';
import * as v from './verdicts.ts';

const SUITE = 'xenbus.4';
const NOT_HERE = 'skip: not a Xen host';
const xenOnly = { 'qemu/kvm': NOT_HERE, 'qemu/tcg': NOT_HERE, hyperv: NOT_HERE };
const READ_WRITE = 'The xenbus abstraction offers guests the possibility to read and write information directly from and to XenStore, a centralized database accessible to all domains.';
const NODE = '/kern/xen/xenbus';

/** The read-only run several checks share: the device/ listing and the first NIC's MAC. */
function reads(ctx: CheckContext) {
  return xenbusProbe(ctx, [{ op: 'dir', path: 'device' }, { op: 'read', path: 'device/vif/0/mac' }], 'xenbus-reads');
}

export const checks: DocumentedCheck[] = [
  {
    id: `${SUITE}/event-channel`,
    suite: SUITE,
    title: 'xenbus0 attaches at hypervisor0 and reports its event channel',
    citation: man(SUITE, 'The event channel associated to the xenbus interface, for communication with the XenStore database.'),
    requires: { families: ['xen'] },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass: "xenbus0: using event channel N"' },
    async run(ctx) {
      return v.judgeEventChannel(await bootTree(ctx));
    },
  },
  {
    id: `${SUITE}/frontends-attach`,
    suite: SUITE,
    title: 'xbd and xennet attach at xenbus0 for the vbd and vif XenStore lists',
    citation: man(SUITE, 'xenbus is mainly used by split paravirtualized drivers, so backend and frontend devices can exchange configuration information, properties, and statistics.'),
    requires: { families: ['xen'] },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass: "xbd0 at xenbus0 id 768: ...", "xennet0 at xenbus0 id 0: ..." with the provider\'s MAC' },
    async run(ctx) {
      const listing = (await reads(ctx)).ops.find((o) => o.op === 'dir');
      return v.judgeFrontends(await bootTree(ctx), listing, ctx.offers.nics[0]?.mac ?? null);
    },
  },
  {
    id: `${SUITE}/kernfs-node`,
    suite: SUITE,
    title: '/kern/xen/xenbus exists, root only, mode 0600',
    citation: source('xenbus_kernfs_init creates /kern/xen/xenbus with mode 0600 (S_IRUSR|S_IWUSR): root only', 'guest-facts.md §8.1 (xenbus_dev.c rev 1.9.12.1)'),
    requires: { families: ['xen'] },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      return v.judgeKernfsNode(await reads(ctx));
    },
  },
  {
    id: `${SUITE}/not-for-users`,
    suite: SUITE,
    title: 'a user other than root cannot open /kern/xen/xenbus (EACCES)',
    citation: source('/kern/xen/xenbus is mode 0600, so root only', 'guest-facts.md §8.1 (xenbus_dev.c xenbus_kernfs_init)'),
    requires: { families: ['xen'] },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      return v.judgeNotForUsers(await xenbusProbe(ctx, [{ op: 'dir', path: 'device' }], 'xenbus-outsider', 'outsider'));
    },
  },
  {
    id: `${SUITE}/read`,
    suite: SUITE,
    title: `a read and a directory listing through ${NODE}`,
    citation: man(SUITE, READ_WRITE),
    requires: { families: ['xen'] },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      return v.judgeRead(await reads(ctx), ctx.offers.nics[0]?.mac ?? null);
    },
  },
  {
    id: `${SUITE}/write`,
    suite: SUITE,
    title: `a write through ${NODE} reads back`,
    citation: man(SUITE, READ_WRITE),
    requires: { families: ['xen'] },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      const key = `data/${freshName()}`;
      const report = await xenbusProbe(ctx, [{ op: 'write', path: key, value: 'via-xenbus' }, { op: 'read', path: key }], 'xenbus-write');
      return v.judgeWrite(report, key, 'via-xenbus');
    },
  },
  {
    id: `${SUITE}/in-band-error`,
    suite: SUITE,
    title: 'a refused request comes back in band as XS_ERROR, not as a failing system call',
    citation: source('xenbus_dev_request_and_reply passes xenstored\'s reply through, XS_ERROR with the error name as payload; the write() itself succeeds', 'guest-facts.md §8.1 (xenbus_xs.c rev 1.5.10.6)'),
    requires: { families: ['xen'] },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass: XS_ERROR "ENOENT"' },
    async run(ctx) {
      const key = `data/${freshName('pvconform-missing')}`;
      return v.judgeInBandError(await xenbusProbe(ctx, [{ op: 'read', path: key }], 'xenbus-error'), key);
    },
  },
  {
    id: `${SUITE}/write-seen-by-host`,
    suite: SUITE,
    title: 'dom0 reads what the guest wrote through xenbus',
    citation: man(SUITE, READ_WRITE),
    requires: { families: ['xen'], hostKv: true },
    os: ['netbsd'],
    expected: { ...xenOnly, xen: 'pass where the provider reaches dom0; skip otherwise' },
    async run(ctx) {
      const key = `data/${freshName()}`;
      const report = await xenbusProbe(ctx, [{ op: 'write', path: key, value: 'for-dom0' }], 'xenbus-host-write');
      const write = report.ops[0];
      if (!write?.ok) return { state: 'fail', message: `the guest's write of ${key} failed: ${write?.error ?? write?.errno ?? write?.detail ?? report.device.open.errno}` };
      const hostKv = ctx.hostKv!;
      const seen = await pollUntil(() => onHost(`reading ${key}`, () => hostKv.read(key)), (r) => r !== null, 10_000);
      return v.judgeHostSees(key, 'for-dom0', seen);
    },
  },
];
