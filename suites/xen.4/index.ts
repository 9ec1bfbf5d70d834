// xen(4) on OpenBSD: xen0 and its frontends attach; XenStore answers through pvbus(4)/hostctl(8),
// including the XenServer properties the page tells users to set (guest-facts.md §5).
import type { CheckContext } from '../../harness/core/checks.ts';
import { InfraError } from '../../harness/core/errors.ts';
import type { DocumentedCheck } from '../probe/check-kit.ts';
import { freshName, man, pollUntil, source } from '../probe/check-kit.ts';
import { bootTree, hostctl, onHost, runAs, type CommandOutput } from '../probe/gather.ts';
import { kvDevicePath } from '../probe/pvbus-facts.ts';
import { probeGuest } from '../probe/guest-ops.ts';
import * as v from './verdicts.ts';

const SUITE = 'xen.4';
const NOT_HERE = 'skip: not a Xen host';
const xenOnly = { 'qemu/kvm': NOT_HERE, 'qemu/tcg': NOT_HERE, hyperv: NOT_HERE };
const NEXUS = 'xen driver performs HVM domU guest initialization, provides abstraction for virtual Xen interrupts, access to the XenStore configuration storage as well as a device probing facility for paravirtualized devices such as disk and network interfaces.';
const XENSERVER = 'When running under XenServer, to let the host know that the guest has finished initializing and to allow graceful shutdown, set the following XenStore properties with hostctl(8) in rc.local(8):';

/** hostctl on the Xen minor (pvbus0, or pvbus1 when viridian puts Hyper-V first). */
async function xs(ctx: CheckContext, args: string[]): Promise<CommandOutput> {
  const device = kvDevicePath(ctx.offers);
  if (!device) throw new InfraError(`XenStore is offered but Xen is not among the interfaces (${ctx.offers.interfaces.join(', ')})`);
  return hostctl(ctx, ['-f', device, ...args]);
}

async function osFacts(ctx: CheckContext): Promise<{ ostype: string; osrelease: string }> {
  const out = await runAs(ctx, 'root', 'sysctl -n kern.ostype; sysctl -n kern.osrelease');
  const [ostype, osrelease] = out.stdout.split('\n');
  if (out.code !== 0 || !osrelease) throw new InfraError(`sysctl kern.ostype/kern.osrelease failed: ${out.stderr.trim()}`);
  return { ostype, osrelease };
}

async function writeProperties(ctx: CheckContext): Promise<Array<[string, string]>> {
  const { ostype, osrelease } = await osFacts(ctx);
  return v.xenServerProperties(ostype, osrelease);
}

export const checks: DocumentedCheck[] = [
  {
    id: `${SUITE}/attach`,
    suite: SUITE,
    title: 'xen0 attaches at pvbus0 with its features, grant table frames and XenStore event channel',
    citation: man(SUITE, NEXUS),
    requires: { families: ['xen'], interfaces: ['Xen'] },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass: "xen0 at pvbus0: features 0x.., N grant table frames, event channel M"' },
    async run(ctx) {
      return v.judgeXenAttach(await bootTree(ctx));
    },
  },
  {
    id: `${SUITE}/xnf-attach`,
    suite: SUITE,
    title: 'xnf(4) attaches at xen0 with the MAC the provider gave',
    citation: man(SUITE, NEXUS),
    requires: { families: ['xen'], interfaces: ['Xen'] },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      return v.judgeXnfAttach(await bootTree(ctx), ctx.offers.nics[0]?.mac ?? null);
    },
  },
  {
    id: `${SUITE}/xbf-attach`,
    suite: SUITE,
    title: 'xbf(4) attaches at xen0 for the vbd XenStore lists',
    citation: man(SUITE, NEXUS),
    requires: { families: ['xen'], interfaces: ['Xen'], kvStore: 'xenstore' },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass ("xbf0 at xen0 backend 0 channel N: disk")' },
    async run(ctx) {
      return v.judgeXbfAttach(await bootTree(ctx), await xs(ctx, ['device']));
    },
  },
  {
    id: `${SUITE}/vif-mac`,
    suite: SUITE,
    title: 'device/vif/0/mac reads the MAC the provider gave',
    citation: man(SUITE, NEXUS),
    requires: { families: ['xen'], kvStore: 'xenstore' },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      const mac = ctx.offers.nics[0]?.mac ?? null;
      return v.judgeVifMac(mac ? await xs(ctx, ['device/vif/0/mac']) : { command: '', code: null, stdout: '', stderr: '' }, mac);
    },
  },
  {
    id: `${SUITE}/xenstore-directory`,
    suite: SUITE,
    title: 'a XenStore directory read lists its children',
    citation: man(SUITE, NEXUS),
    requires: { families: ['xen'], kvStore: 'xenstore' },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass ("device" lists vbd, vif, ...)' },
    async run(ctx) {
      return v.judgeDirectory(await xs(ctx, ['device']), ctx.offers.nics.length > 0 ? ['vif'] : []);
    },
  },
  {
    id: `${SUITE}/xenserver-properties`,
    suite: SUITE,
    title: 'the XenServer properties of the page can be set with hostctl',
    citation: man(SUITE, XENSERVER),
    requires: { families: ['xen'], kvStore: 'xenstore' },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      const runs = [];
      for (const [key, value] of await writeProperties(ctx)) {
        const write = await xs(ctx, [key, value]);
        runs.push({ key, value, write, read: await xs(ctx, [key]) });
      }
      return v.judgeProperties(runs);
    },
  },
  {
    id: `${SUITE}/xenserver-properties-seen-by-host`,
    suite: SUITE,
    title: 'dom0 reads the XenServer properties the guest set',
    citation: man(SUITE, XENSERVER),
    requires: { families: ['xen'], kvStore: 'xenstore', hostKv: true },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass where the provider reaches dom0; skip otherwise' },
    async run(ctx) {
      const props = await writeProperties(ctx);
      for (const [key, value] of props) {
        const w = await xs(ctx, [key, value]);
        if (w.code !== 0) return { state: 'fail', message: `the guest could not set ${key}: ${w.stderr.trim()}` };
      }
      const hostKv = ctx.hostKv!;
      const seen: Record<string, string | null> = {};
      for (const [key, value] of props) seen[key] = await pollUntil(() => onHost(`reading ${key}`, () => hostKv.read(key)), (r) => r === value, 10_000);
      return v.judgeHostReads(props, seen);
    },
  },
  {
    id: `${SUITE}/payload-limit`,
    suite: SUITE,
    title: 'a XenStore request over 1024 bytes fails with EIO and a console message',
    citation: source('xs_cmd: XS_MAX_PAYLOAD is 1024; a longer request prints "%s: message type %d with payload above the limit" and returns EIO', 'guest-facts.md §5.1 (xenstore.c xs_cmd)'),
    requires: { families: ['xen'], kvStore: 'xenstore' },
    os: ['openbsd'],
    expected: { ...xenOnly, xen: 'pass' },
    async run(ctx) {
      const g = probeGuest(ctx);
      const before = await g.kernelMessages(ctx.sh);
      const write = await xs(ctx, [`data/${freshName()}`, 'x'.repeat(1100)]);
      return v.judgePayloadLimit(write, before, await g.kernelMessages(ctx.sh));
    },
  },
];
