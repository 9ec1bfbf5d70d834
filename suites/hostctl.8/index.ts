// hostctl(8) on OpenBSD: its options, exit status and messages. hostctl.8 is not among the pages in
// ../shared/man, so each check quotes the page's sentence inside a source citation (guest-facts.md
// §2.5 and openbsd/src usr.sbin/hostctl/hostctl.8) and says so.
import type { CheckContext, Verdict } from '../../harness/core/checks.ts';
import type { Citation } from '../../harness/core/results.ts';
import type { KvStore } from '../../harness/core/offers.ts';
import type { DocumentedCheck } from '../probe/check-kit.ts';
import { freshName, skip, source } from '../probe/check-kit.ts';
import { hostctl, readGuestFile, runAs } from '../probe/gather.ts';
import { inTableOrder, kvDevicePath, readableKey, writableKey } from '../probe/pvbus-facts.ts';
import { shq } from '../probe/shell-quote.ts';
import { kvDevice } from '../pvbus.4/verdicts.ts';
import { rootReport } from '../pvbus.4/gather.ts';
import * as v from './verdicts.ts';

const SUITE = 'hostctl.8';
const WHERE = 'hostctl.8 revs 1.2-1.5 (openbsd/src usr.sbin/hostctl/hostctl.8; guest-facts.md §2.5); the page is not in shared/man';

/** A sentence of hostctl.8, quoted; marked as coming from outside shared/man. */
const page = (sentence: string): Citation => source(`hostctl.8: "${sentence}"`, WHERE);

function withStore(ctx: CheckContext, judge: (store: KvStore, device: string) => Promise<Verdict>): Promise<Verdict> {
  const store = ctx.offers.kvStore;
  const device = kvDevicePath(ctx.offers);
  if (!store) return Promise.resolve(skip('no key/value store offered here (KVM, bhyve and vmm have none)'));
  if (!device) return Promise.resolve(skip(`the ${store} store is offered but its interface is not among those the guest can detect (${ctx.offers.interfaces.join(', ') || 'none'})`));
  return judge(store, device);
}

/** The value the kernel returns for the read key, from the probe's ioctl. */
async function probedValue(ctx: CheckContext, store: KvStore): Promise<string | null> {
  const d = kvDevice(await rootReport(ctx), store);
  const read = [d?.calls['kvread-64k'], d?.calls['kvread-4096']].find((c) => c?.ok);
  return read?.value ?? null;
}

/** Hyper-V's hv_kvop leaves the value in place after a write; Xen and VMware clear it (§2.4). */
const ECHOES: Record<KvStore, boolean> = { 'hyperv-kvp': true, xenstore: false, 'vmware-guestinfo': false };

/** A key that is not in the store, in a place the store can look it up (Hyper-V needs a pool). */
function missingKey(store: KvStore): string {
  return store === 'hyperv-kvp' ? `Guest/${freshName('pvconform-missing')}` : freshName('pvconform-missing');
}

export const checks: DocumentedCheck[] = [
  {
    id: `${SUITE}/type`,
    suite: SUITE,
    title: 'hostctl -t prints "<device>: <type>" for every detected interface',
    citation: page('-t Print the type of the underlying driver.'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass: "/dev/pvbus0: KVM"', 'qemu/tcg': 'skip: no interface', xen: 'pass: "/dev/pvbus0: Xen"', hyperv: 'pass: "/dev/pvbus0: Hyper-V"' },
    async run(ctx) {
      const types = inTableOrder(ctx.offers.interfaces);
      const runs = [];
      for (const [i, type] of types.entries()) {
        const device = `/dev/pvbus${i}`;
        runs.push({ device, type, out: await hostctl(ctx, ['-f', device, '-t']) });
      }
      return v.judgeType(runs);
    },
  },
  {
    id: `${SUITE}/usage`,
    suite: SUITE,
    title: 'a bad command line prints the usage and exits 1',
    citation: source('usage: "usage: %s [-qt] [-f device] [-i input] [-o output] key [value]" on stderr, exit 1; an unknown option, no key, or more than two arguments', 'guest-facts.md §2.1 (hostctl.c usage, main)'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'pass (unknown option only: the node does not open)', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      const opens = ctx.offers.interfaces.length > 0;
      return v.judgeUsage(
        await hostctl(ctx, ['-Z', 'key']),
        opens ? await hostctl(ctx, []) : null,
        opens ? await hostctl(ctx, ['a', 'b', 'c']) : null,
      );
    },
  },
  {
    id: `${SUITE}/open-errors`,
    suite: SUITE,
    title: 'open failures print "hostctl: open: <device>: <error>" and exit 1',
    citation: page('-f device Use device instead of the default /dev/pvbus0.'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'pass: ENOENT for a missing node; EACCES for a wheel member writing',
      'qemu/tcg': 'pass: ENOENT for a missing node; ENODEV for pvbus0 (pvbus not attached)',
      xen: 'pass',
      hyperv: 'pass',
    },
    async run(ctx) {
      const missing = '/dev/pvconform-no-such-node';
      const cases = [{ what: 'missing node', out: await hostctl(ctx, ['-f', missing, '-t']), path: missing, errno: 'ENOENT' }];
      if (ctx.offers.interfaces.length === 0) {
        // pvbus never attached: every node answers ENODEV (guest-facts.md §1.3).
        cases.push({ what: 'pvbus not attached', out: await hostctl(ctx, ['-t']), path: '/dev/pvbus0', errno: 'ENODEV' });
      } else {
        // A wheel member opens read-only, then the O_RDWR reopen for a write is refused (§2.2, §3).
        cases.push({ what: 'wheel member writing', out: await hostctl(ctx, ['pvconform/key', 'value'], 'wheel'), path: '/dev/pvbus0', errno: 'EACCES' });
      }
      return v.judgeOpenErrors(cases);
    },
  },
  {
    id: `${SUITE}/outsider`,
    suite: SUITE,
    title: 'a user outside wheel gets "hostctl: open: /dev/pvbus0: Permission denied"',
    citation: source('with the node root:wheel 0640, a user outside wheel fails at the first open: "hostctl: open: /dev/pvbus0: Permission denied", exit 1', 'guest-facts.md §2.2, §3'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'pass', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      const out = await hostctl(ctx, ['-t'], 'outsider');
      return v.judgeOpenErrors([{ what: 'outside wheel', out, path: '/dev/pvbus0', errno: 'EACCES' }]);
    },
  },
  {
    id: `${SUITE}/read`,
    suite: SUITE,
    title: 'hostctl KEY prints the value the ioctl returns (ENXIO message where there is no store)',
    citation: page('When given the name of a specific key, hostctl will display the value or list the key names of the subtree.'),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'pass: "hostctl: ioctl: Device not configured", exit 1',
      'qemu/tcg': 'skip: no interface',
      xen: 'pass: device/vif/0/mac',
      hyperv: 'pass: Auto/OSName',
    },
    async run(ctx) {
      const store = ctx.offers.kvStore;
      if (!store) {
        if (ctx.offers.interfaces.length === 0) return skip('no hypervisor interface offered, so no node answers');
        return v.judgeRead(await hostctl(ctx, ['pvconform/no-store']), { errno: 'ENXIO' });
      }
      return withStore(ctx, async (s, device) => {
        const key = readableKey(s, ctx.offers);
        if (!key) return skip(`no key is known to exist in a ${s} store`);
        const value = await probedValue(ctx, s);
        if (value === null) return skip(`the probe could not read "${key}" either, so there is nothing to compare (see pvbus.4/kvread-erange)`);
        return v.judgeRead(await hostctl(ctx, ['-f', device, key]), { value });
      });
    },
  },
  {
    id: `${SUITE}/missing-key`,
    suite: SUITE,
    title: 'reading a key that is not there prints "hostctl: ioctl: No such file or directory"',
    citation: source('"Key not found" is ENOENT on Xen and Hyper-V (EINVAL on VMware); hostctl prints err(1, "ioctl")', 'guest-facts.md §1.4 step 8, §2.3'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'skip: no store', 'qemu/tcg': 'skip: no store', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      return withStore(ctx, async (store, device) =>
        v.judgeMissingKey(await hostctl(ctx, ['-f', device, missingKey(store)]), store === 'vmware-guestinfo' ? 'EINVAL' : 'ENOENT'),
      );
    },
  },
  {
    id: `${SUITE}/write`,
    suite: SUITE,
    title: 'hostctl KEY VALUE writes the pair; reading the key gives the value back',
    citation: page('If the key is followed by a value, hostctl will write the new key-value pair to the key-value store.'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'skip: no store', 'qemu/tcg': 'skip: no store', xen: 'pass (prints nothing)', hyperv: 'pass (echoes the value)' },
    async run(ctx) {
      return withStore(ctx, async (store, device) => {
        const key = writableKey(store, freshName());
        if (!key) return skip(`no writable key is known for ${store}`);
        const value = 'written-by-pvconform';
        const write = await hostctl(ctx, ['-f', device, key, value]);
        return v.judgeWrite(write, await hostctl(ctx, ['-f', device, key]), value, ECHOES[store]);
      });
    },
  },
  {
    id: `${SUITE}/input-output-files`,
    suite: SUITE,
    title: '-i takes the new value from a file, -o saves the value to one',
    citation: page('-i input Read the new value for the specified key from the input file.'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'skip: no store', 'qemu/tcg': 'skip: no store', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      return withStore(ctx, async (store, device) => {
        const key = writableKey(store, freshName());
        if (!key) return skip(`no writable key is known for ${store}`);
        const value = 'from-a-file';
        const dir = `/tmp/${freshName()}`;
        const mk = await runAs(ctx, 'root', `mkdir -m 700 ${dir} && printf '%s\\n' ${shq(value)} > ${dir}/in`);
        if (mk.code !== 0) return skip(`could not prepare the input file: ${mk.stderr.trim()}`);
        try {
          const write = await hostctl(ctx, ['-f', device, '-q', '-i', `${dir}/in`, key]);
          const read = await hostctl(ctx, ['-f', device, '-o', `${dir}/out`, key]);
          return v.judgeFiles(write, read, await readGuestFile(ctx, `${dir}/out`), value);
        } finally {
          await runAs(ctx, 'root', `rm -rf ${dir}`);
        }
      });
    },
  },
  {
    id: `${SUITE}/key-too-long`,
    suite: SUITE,
    title: 'a key of 4096 bytes or more is refused: "hostctl: key too long"',
    citation: source('kvsetstr vis-encodes the key into a 4096-byte buffer; 4096 or more gives errx "hostctl: key too long", exit 1', 'guest-facts.md §2.3 (hostctl.c kvsetstr)'),
    requires: {},
    os: ['openbsd'],
    expected: { 'qemu/kvm': 'pass', 'qemu/tcg': 'skip: the node does not open, which hostctl reports first', xen: 'pass', hyperv: 'pass' },
    async run(ctx) {
      if (ctx.offers.interfaces.length === 0) return skip('no interface offered: hostctl fails at open() before it looks at the key');
      return v.judgeKeyTooLong(await hostctl(ctx, ['k'.repeat(4096)]));
    },
  },
  {
    id: `${SUITE}/quiet-flag`,
    suite: SUITE,
    title: '-q as hostctl.8 words it against what hostctl does (manual against code)',
    citation: page("-q Don't ask for confirmation of any default options."),
    requires: {},
    os: ['openbsd'],
    expected: {
      'qemu/kvm': 'skip: no store, so no value to print',
      'qemu/tcg': 'skip: no store',
      xen: 'fail while the page words -q as "Don\'t ask for confirmation" and the code uses it to suppress the value (guest-facts.md §2.1)',
      hyperv: 'as xen',
    },
    async run(ctx) {
      return withStore(ctx, async (store, device) => {
        const key = readableKey(store, ctx.offers);
        if (!key) return skip(`no key is known to exist in a ${store} store`);
        const installed = await readGuestFile(ctx, '/usr/share/man/man8/hostctl.8');
        const plain = await hostctl(ctx, ['-f', device, key]);
        const quiet = await hostctl(ctx, ['-f', device, '-q', key]);
        return v.judgeQuiet(installed ? v.quietWording(installed) : null, plain, quiet);
      });
    },
  },
];
