// xen.4-host: the host half of xen(4)'s XenStore promises, with dom0 on the other end. What a
// guest sets is what dom0 reads under /local/domain/<domid>/, what dom0 sets the guest reads,
// a write outside the guest's home is refused, and the guest obeys `xl shutdown`. Linux (the
// reference guest) and OpenBSD take part; only the guest-side tool differs.
import { randomBytes } from 'node:crypto';
import type { Check, CheckContext } from '../../harness/core/checks.ts';
import type { Citation } from '../../harness/core/results.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { guestIdentity, guestStore } from './guest-store.ts';
import { formatDeviceEnds, judgeDeviceEnds, readDeviceEnds } from './frontends.ts';
import { onHost } from './on-host.ts';
import { judgeGuestRead, judgeHostReads, judgeRefusedWrite, judgeShutdown, type Pairs } from './verdicts.ts';
import { pollUntil } from '../../harness/core/wait.ts';

const SUITE = 'xen.4-host';
const FILE = 'man/xen.4.openbsd.txt';
const man = (sentence: string): Citation => ({ kind: 'man', page: 'xen.4', file: FILE, sentence });
const source = (fact: string, where: string): Citation => ({ kind: 'source', fact, where });

const XENSERVER = 'When running under XenServer, to let the host know that the guest has finished initializing and to allow graceful shutdown, set the following XenStore properties with hostctl(8) in rc.local(8):';
const XENSTORE_ACCESS = 'xen driver performs HVM domU guest initialization, provides abstraction for virtual Xen interrupts, access to the XenStore configuration storage as well as a device probing facility for paravirtualized devices such as disk and network interfaces.';


function fresh(prefix = 'pvconform'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}

/** xen(4)'s rc.local lines, in its order, with this guest's own name and address. */
async function xenServerProperties(ctx: CheckContext): Promise<Pairs> {
  const id = await guestIdentity(ctx);
  const props: Pairs = [
    ['attr/PVAddons/MajorVersion', '6'],
    ['attr/PVAddons/MinorVersion', '2'],
    ['attr/PVAddons/MicroVersion', '0'],
    ['attr/PVAddons/BuildVersion', '76888'],
    ['attr/PVAddons/Installed', '1'],
    ['data/os_name', `${id.ostype} ${id.osrelease}`],
    ['data/os_uname', id.osrelease],
    ['data/os_distro', id.ostype],
  ];
  // The page's IPv6 line is skipped: the guest's network here is IPv4 only.
  if (id.ipv4) props.push(['attr/vif/0/ipv4/0', id.ipv4]);
  props.push(['data/updated', '1']);
  return props;
}

const GUEST_OSES: Check['os'] = ['linux', 'openbsd'];

/** What the Linux guest's power-off helper prints: the kernel runs poweroff_cmd for a Xen
 *  shutdown request (orderly_poweroff), and the reference image's /init is a script that
 *  would otherwise ignore it. */
export const LINUX_POWEROFF_LINE = 'pvconform: the kernel ran its power-off helper';
const LINUX_POWEROFF_HELPER = '/tmp/pvconform-poweroff';
const SHUTDOWN_DEADLINE_MS = 60_000;

export const checks: Check[] = [
  {
    id: `${SUITE}/xenserver-properties`,
    suite: SUITE,
    title: "dom0 reads the XenServer properties the guest set, under the guest's /local/domain/<domid>/",
    citation: man(XENSERVER),
    requires: { families: ['xen'], kvStore: 'xenstore', hostKv: true },
    os: GUEST_OSES,
    async run(ctx) {
      const store = guestStore(ctx);
      const props = await xenServerProperties(ctx);
      const writes = [];
      for (const [key, value] of props) writes.push({ key, reply: await store.write(key, value) });
      const seen: Record<string, string | null> = {};
      const hostKv = ctx.hostKv!;
      for (const [key, value] of props) seen[key] = await onHost(`reading ${key}`, () => pollUntil(() => hostKv.read(key), (v) => v === value, 5_000, 250));
      await ctx.saveArtifact('xenstore', 'xen4-host-properties.txt', props.map(([k, v]) => `${k} = ${JSON.stringify(v)} -> dom0 read ${JSON.stringify(seen[k])}`).join('\n') + '\n');
      return judgeHostReads('/local/domain/<domid>', writes, props, seen);
    },
  },
  {
    id: `${SUITE}/host-write-seen-by-guest`,
    suite: SUITE,
    title: 'the guest reads a key dom0 wrote in its home',
    citation: man(XENSTORE_ACCESS),
    requires: { families: ['xen'], kvStore: 'xenstore', hostKv: true },
    os: GUEST_OSES,
    async run(ctx) {
      const key = `data/${fresh('pvconform-from-dom0')}`;
      const value = `set-by-dom0-${randomBytes(3).toString('hex')}`;
      const hostKv = ctx.hostKv!;
      await onHost(`writing ${key}`, () => hostKv.write(key, value));
      try {
        return judgeGuestRead(key, value, await guestStore(ctx).read(key));
      } finally {
        await onHost(`removing ${key}`, () => hostKv.remove(key));
      }
    },
  },
  {
    id: `${SUITE}/write-outside-home-refused`,
    suite: SUITE,
    title: "a guest write into dom0's part of the store is refused with EACCES",
    citation: source('absolute XenStore paths are passed through as given and xenstored applies its permissions; permission denied maps to EACCES', 'guest-facts.md §5.1 (OpenBSD sys/dev/pv/xenstore.c rev 1.50, xs_kvop and xs_geterror); lab.md §3 saw the same from Linux'),
    requires: { families: ['xen'], kvStore: 'xenstore', hostKv: true },
    os: GUEST_OSES,
    async run(ctx) {
      const path = `/local/domain/0/data/${fresh()}`;
      const reply = await guestStore(ctx).write(path, 'from-a-guest');
      const hostSees = await onHost(`reading ${path}`, () => ctx.hostKv!.read(path));
      if (hostSees !== null) await onHost(`removing ${path}`, () => ctx.hostKv!.remove(path));
      return judgeRefusedWrite(path, reply, hostSees);
    },
  },
  {
    id: `${SUITE}/vif-attached`,
    suite: SUITE,
    title: "the guest's network front end is connected to dom0's back end, as both see it in XenStore",
    citation: man(XENSTORE_ACCESS),
    requires: { families: ['xen'], kvStore: 'xenstore', hostKv: true },
    os: GUEST_OSES,
    async run(ctx) {
      const ends = await readDeviceEnds(ctx, 'vif');
      await ctx.saveArtifact('xenstore', 'xen4-host-vif.txt', formatDeviceEnds('vif', ends));
      return judgeDeviceEnds('vif', ctx.offers.nics.length, ends);
    },
  },
  {
    id: `${SUITE}/vbd-attached`,
    suite: SUITE,
    title: "the guest's disk front ends are connected to dom0's back ends, as both see them in XenStore",
    citation: man(XENSTORE_ACCESS),
    requires: { families: ['xen'], kvStore: 'xenstore', hostKv: true },
    os: GUEST_OSES,
    async run(ctx) {
      const want = ctx.offers.xenDisks ?? 0;
      if (want === 0) return { state: 'skip', message: 'no data disk offered: give the Xen config disks: 1 (or more)' };
      const ends = await readDeviceEnds(ctx, 'vbd');
      await ctx.saveArtifact('xenstore', 'xen4-host-vbd.txt', formatDeviceEnds('vbd', ends));
      return judgeDeviceEnds('vbd', want, ends);
    },
  },
  // Ends the guest: keep it the last check of the suite.
  {
    id: `${SUITE}/shutdown-honoured`,
    suite: SUITE,
    title: 'the guest powers off when dom0 asks with xl shutdown (control/shutdown)',
    citation: source('the kernel watches "control/shutdown"; "halt" or "poweroff" leads to pvbus_shutdown, after it writes "" back to acknowledge', 'guest-facts.md §5.2 (OpenBSD sys/dev/pv/xen.c rev 1.100, xen_control)'),
    requires: { families: ['xen'], kvStore: 'xenstore' },
    os: GUEST_OSES,
    async run(ctx) {
      if (!ctx.hostControl) return { state: 'skip', message: 'the provider offers no host shutdown request for this cell' };
      let line: string | null = null;
      if (ctx.guest.os === 'linux') {
        // Linux hands a Xen power-off to userland (poweroff_cmd); point it at a helper that
        // logs, then powers off, as an init system would.
        const helper = `#!/bin/sh\necho "<2>${LINUX_POWEROFF_LINE}" > /dev/kmsg\nexec /bin/busybox poweroff -f\n`;
        const r = await ctx.sh.exec(`cat > ${LINUX_POWEROFF_HELPER} && chmod 755 ${LINUX_POWEROFF_HELPER} && echo ${LINUX_POWEROFF_HELPER} > /proc/sys/kernel/poweroff_cmd`, { stdin: helper });
        if (r.code !== 0) throw new InfraError(`cannot install the power-off helper in the guest: ${r.stderr.trim()}`);
        line = LINUX_POWEROFF_LINE;
      }
      const obs = await ctx.hostControl.requestShutdown(SHUTDOWN_DEADLINE_MS);
      await ctx.saveArtifact('console', 'shutdown-console.txt', obs.consoleAfter);
      return judgeShutdown(obs, SHUTDOWN_DEADLINE_MS, line);
    },
  },
];
