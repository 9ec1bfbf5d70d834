// hyperv(4) on OpenBSD: the nexus and its VMBus children attach, and the Key-Value Pair pools
// behave as the page says (and as hypervic.c does where the page is silent, guest-facts.md §4).
import type { CheckContext } from '../../harness/core/checks.ts';
import { InfraError } from '../../harness/core/errors.ts';
import type { DocumentedCheck } from '../probe/check-kit.ts';
import { freshName, man, pollUntil, source } from '../probe/check-kit.ts';
import { bootTree, hostctl, onHost, runAs } from '../probe/gather.ts';
import { kvDevicePath } from '../probe/pvbus-facts.ts';
import * as v from './verdicts.ts';

const SUITE = 'hyperv.4';
const NOT_HERE = 'skip: not a Hyper-V host';
const hyperOnly = { 'qemu/kvm': NOT_HERE, 'qemu/tcg': NOT_HERE, xen: NOT_HERE };

/** hostctl on the minor the KVP store answers on (pvbus0 on Hyper-V; later with KVM first). */
async function kv(ctx: CheckContext, args: string[]) {
  const device = kvDevicePath(ctx.offers);
  if (!device) throw new InfraError(`the Hyper-V KVP store is offered but Hyper-V is not among the interfaces (${ctx.offers.interfaces.join(', ')})`);
  return hostctl(ctx, ['-f', device, ...args]);
}

async function guestFacts(ctx: CheckContext): Promise<v.GuestFacts> {
  const out = await runAs(ctx, 'root', 'uname -s; uname -r; uname -m; sysctl -n kern.osversion');
  const [ostype, osrelease, machine, osversion] = out.stdout.split('\n');
  if (out.code !== 0 || !osversion) throw new InfraError(`reading uname/sysctl in the guest failed: ${out.stderr.trim()}`);
  return { ostype, osrelease, machine, osversion };
}

export const checks: DocumentedCheck[] = [
  {
    id: `${SUITE}/nexus-attach`,
    suite: SUITE,
    title: 'hyperv0 attaches at pvbus0 and offers the KVP service',
    citation: man(SUITE, 'hyperv driver performs Synthetic Interrupt Controller initialization, sets up hypercalls, and provides access to VMBus services required by paravirtualized devices such as disk and network interfaces.'),
    requires: { families: ['hyperv'], interfaces: ['Hyper-V'] },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass: "hyperv0 at pvbus0: protocol 4.0, features 0x.."; "hyperv0: heartbeat, kvp, shutdown, timesync"' },
    async run(ctx) {
      return v.judgeNexusAttach(await bootTree(ctx));
    },
  },
  {
    id: `${SUITE}/hvn-attach`,
    suite: SUITE,
    title: 'hvn(4) attaches at hyperv0 with the MAC the host gave',
    citation: man(SUITE, 'hyperv driver performs Synthetic Interrupt Controller initialization, sets up hypercalls, and provides access to VMBus services required by paravirtualized devices such as disk and network interfaces.'),
    requires: { families: ['hyperv'], interfaces: ['Hyper-V'] },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      return v.judgeVmbusChild(await bootTree(ctx), 'hvn', ctx.offers.nics[0]?.mac ?? null);
    },
  },
  {
    id: `${SUITE}/hvs-attach`,
    suite: SUITE,
    title: 'hvs(4) attaches at hyperv0',
    citation: man(SUITE, 'hyperv driver performs Synthetic Interrupt Controller initialization, sets up hypercalls, and provides access to VMBus services required by paravirtualized devices such as disk and network interfaces.'),
    requires: { families: ['hyperv'], interfaces: ['Hyper-V'] },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      return v.judgeVmbusChild(await bootTree(ctx), 'hvs', null);
    },
  },
  {
    id: `${SUITE}/pool-listing`,
    suite: SUITE,
    title: '"Pool/" lists each pool\'s keys; Auto holds the keys the guest fills in',
    citation: man(SUITE, 'All keys are associated to one of several key pools: Auto, Guest, External or Guest/Parameters.'),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp' },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      const listings = [];
      for (const pool of v.POOLS) listings.push({ pool, out: await kv(ctx, [`${pool}/`]) });
      return v.judgePoolListing(listings);
    },
  },
  {
    id: `${SUITE}/auto-update`,
    suite: SUITE,
    title: 'a key in the Auto pool can be given a new value',
    citation: man(SUITE, "It's possible to modify values of keys in the Auto pool as well as set new keys in the Guest pool with hostctl(8)."),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp' },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      const value = `${freshName('guest')}.pvconform.example`;
      const write = await kv(ctx, ['Auto/FullyQualifiedDomainName', value]);
      return v.judgeWriteReadBack(write, await kv(ctx, ['Auto/FullyQualifiedDomainName']), value);
    },
  },
  {
    id: `${SUITE}/auto-no-new-keys`,
    suite: SUITE,
    title: 'a new key in the Auto pool is refused with ENOENT',
    citation: source('Auto: updates only keys that already exist (kvp_pool_update); an unknown key gives ENOENT', 'guest-facts.md §4.3 (hypervic.c hv_kvop)'),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp' },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      return v.judgeRefused([{ what: 'new Auto key', out: await kv(ctx, [`Auto/${freshName()}`, 'x']), errno: 'ENOENT' }]);
    },
  },
  {
    id: `${SUITE}/guest-insert`,
    suite: SUITE,
    title: 'a new key can be set in the Guest pool',
    citation: man(SUITE, "It's possible to modify values of keys in the Auto pool as well as set new keys in the Guest pool with hostctl(8)."),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp' },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      const key = `Guest/${freshName()}`;
      const write = await kv(ctx, [key, 'set-by-pvconform']);
      return v.judgeWriteReadBack(write, await kv(ctx, [key]), 'set-by-pvconform');
    },
  },
  {
    id: `${SUITE}/guest-no-overwrite`,
    suite: SUITE,
    title: 'an existing Guest key cannot be written again (EEXIST)',
    citation: source('Guest: inserts a new key only (kvp_pool_insert); an existing key gives EEXIST, and the guest cannot delete', 'guest-facts.md §4.3 (hypervic.c hv_kvop)'),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp' },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      const key = `Guest/${freshName()}`;
      const first = await kv(ctx, [key, 'first']);
      if (first.code !== 0) return { state: 'fail', message: `the first write of ${key} already failed: ${first.stderr.trim()}` };
      return v.judgeRefused([{ what: 'second write of a Guest key', out: await kv(ctx, [key, 'second']), errno: 'EEXIST' }]);
    },
  },
  {
    id: `${SUITE}/host-pools-read-only`,
    suite: SUITE,
    title: 'writes to External and Guest/Parameters are refused (EINVAL)',
    citation: man(SUITE, 'The Host provides its read-only keys in External and Guest/Parameters pools.'),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp' },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      return v.judgeRefused([
        { what: 'External', out: await kv(ctx, [`External/${freshName()}`, 'x']), errno: 'EINVAL' },
        { what: 'Guest/Parameters', out: await kv(ctx, [`Guest/Parameters/${freshName()}`, 'x']), errno: 'EINVAL' },
      ]);
    },
  },
  {
    id: `${SUITE}/auto-values`,
    suite: SUITE,
    title: 'the Auto pool holds the values hypervic.c fills in',
    citation: source('kvp_pool_auto[]: IntegrationServicesVersion "6.6.6", NetworkAddressIPv4 "127.0.0.1", NetworkAddressIPv6 "::1", OSBuildNumber osversion, OSName ostype, OSMajorVersion "6", OSMinorVersion &osrelease[2], OSVersion osrelease, ProcessorArchitecture "9" (amd64) / "0" (i386)', 'guest-facts.md §4.4 (hypervic.c kvp_pool_auto[], hv_kvp_attach)'),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp' },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass' },
    async run(ctx) {
      const expected = v.expectedAutoValues(await guestFacts(ctx));
      const read: Record<string, Awaited<ReturnType<typeof kv>>> = {};
      for (const key of Object.keys(expected)) read[key] = await kv(ctx, [`Auto/${key}`]);
      return v.judgeAutoValues(expected, read);
    },
  },
  {
    id: `${SUITE}/guest-key-seen-by-host`,
    suite: SUITE,
    title: 'a key the guest sets in the Guest pool is seen by the host',
    citation: man(SUITE, "It's possible to modify values of keys in the Auto pool as well as set new keys in the Guest pool with hostctl(8)."),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp', hostKv: true },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass where the provider reads the host side; skip otherwise' },
    async run(ctx) {
      const key = `Guest/${freshName()}`;
      const write = await kv(ctx, [key, 'for-the-host']);
      if (write.code !== 0) return { state: 'fail', message: `the guest could not set ${key}: ${write.stderr.trim()}` };
      const hostKv = ctx.hostKv!;
      const seen = await pollUntil(() => onHost(`reading ${key}`, () => hostKv.read(key)), (r) => r !== null);
      return v.judgeHostSees(key, 'for-the-host', seen);
    },
  },
  {
    id: `${SUITE}/external-key-from-host`,
    suite: SUITE,
    title: 'a key the host provides in External reads in the guest',
    citation: man(SUITE, 'The Host provides its read-only keys in External and Guest/Parameters pools.'),
    requires: { families: ['hyperv'], kvStore: 'hyperv-kvp', hostKv: true },
    os: ['openbsd'],
    expected: { ...hyperOnly, hyperv: 'pass where the provider writes the host side; skip otherwise' },
    async run(ctx) {
      const key = `External/${freshName()}`;
      const hostKv = ctx.hostKv!;
      await onHost(`writing ${key}`, () => hostKv.write(key, 'from-the-host'));
      try {
        const read = await pollUntil(() => kv(ctx, [key]), (r) => r.code === 0);
        if (read.code === 0 && read.stdout === 'from-the-host\n') return { state: 'pass', message: `the guest reads ${key} = "from-the-host"` };
        return { state: 'fail', message: `the host set ${key}; the guest's \`${read.command}\` exited ${read.code}: ${(read.stdout || read.stderr).trim()}` };
      } finally {
        await onHost(`removing ${key}`, () => hostKv.remove(key));
      }
    },
  },
];
