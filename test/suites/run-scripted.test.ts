// Every OpenBSD/NetBSD check run end to end against a scripted guest (TEST DOUBLE, see
// scripted-guest.ts: no BSD image or Xen/Hyper-V host can run here), per kind of hypervisor. Each
// result must be what the check's own `expected` table says for that hypervisor, so the table and
// the logic cannot drift apart, and nothing may end in error.
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { unmetRequirement } from '../../harness/core/checks.ts';
import { runCell, type CellDeps } from '../../harness/run/run-cell.ts';
import { ResultSink } from '../../harness/results/sink.ts';
import type { Cell } from '../../harness/plan/plan.ts';
import { fakeProvider } from '../doubles/fake-provider/index.ts';
import { FAKE_IMAGE } from '../doubles/fake-guest/index.ts';
import type { HostKv, Offers } from '../../harness/core/offers.ts';
import type { DocumentedCheck, HypervisorCell } from '../../suites/probe/check-kit.ts';
import { openbsdHypervText, openbsdWithPvbusText, openbsdXenText, netbsdXenText } from './boot-logs.ts';
import { hypervRoot, kvmRoot, tcgRoot, userReport, xenRoot, XEN_MAC, report, node, OPENBSD_76_AUTO_POOL } from './probe-reports.ts';
import { untouchableShell, fakeHostctl, hypervPools, scriptedGuest, words, xenStore, type Script } from './scripted-guest.ts';

const SUITES = ['pvbus.4', 'hostctl.8', 'hyperv.4', 'xen.4', 'xenbus.4'];
const checks: DocumentedCheck[] = [];
for (const s of SUITES) checks.push(...((await import(`../../suites/${s}/index.ts`)) as { checks: DocumentedCheck[] }).checks);

// pvbus.4 rev 1.14 as installed: documents PVBUSIOC_KVTYPE (guest-facts.md §1.1).
const PAGE = '.It Dv PVBUSIOC_KVREAD\n.It Dv PVBUSIOC_KVTYPE\n.It Dv PVBUSIOC_KVWRITE\n';
const HEADER = "#define PVBUSIOC_KVREAD _IOWR('V', 1, struct pvbus_req)\n#define PVBUSIOC_KVWRITE _IOWR('V', 2, struct pvbus_req)\n#define PVBUSIOC_TYPE _IOWR('V', 3, struct pvbus_req)\n";
// hostctl.8 revs 1.2-1.5.
const HOSTCTL_PAGE = ".Bl -tag -width Ds\n.It Fl q\nDon't ask for confirmation of any default options.\n.It Fl t\nPrint the type of the underlying driver.\n.El\n";

/** What every OpenBSD script answers the same way: installed files, the fake fs of -i/-o. */
function openbsdCommon(fs: Map<string, string>): Script['commands'] {
  return [
    [/man4\/pvbus\.4/, { stdout: PAGE }],
    [/dev\/pv\/pvvar\.h/, { stdout: HEADER }],
    [/man8\/hostctl\.8/, { stdout: HOSTCTL_PAGE }],
    [/^mkdir -m 700 (\S+) && printf/, (c) => (fs.set(`${words(c)[3]}/in`, `${words(c)[7]}\n`), {})],
    [/^if \[ -e (\/tmp\/\S+\/out) \]/, (c) => ({ stdout: fs.get(/(\/tmp\/\S+\/out)/.exec(c)![1]) ?? '' })],
    [/^rm -rf \/tmp\//, {}],
    [/^uname -s; uname -r; uname -m; sysctl -n kern.osversion$/, { stdout: 'OpenBSD\n7.6\namd64\nGENERIC.MP#338\n' }],
    [/^sysctl -n kern.ostype; sysctl -n kern.osrelease$/, { stdout: 'OpenBSD\n7.6\n' }],
  ];
}

function probeAnswers(root: () => unknown, outsider: unknown, wheel: unknown): Script['commands'][number] {
  return [/pvprobe pvbus/, (_c, who) => ({ stdout: JSON.stringify(who === 'root' ? root() : who === 'pvcuser' ? outsider : wheel) })];
}

const base = { virtio: [], nics: [] } satisfies Partial<Offers>;

type Asserts = Pick<typeof t, 'not' | 'equal' | 'fail'>;

/** Runs every check through the real runCell (the one place that maps outcomes to the four
 *  states), with the provider and the guest as test doubles. */
async function runAll(t: Asserts, cell: HypervisorCell, os: 'openbsd' | 'netbsd', script: Script, offers: Offers, hostKv?: HostKv) {
  const { guest } = scriptedGuest(script);
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-scripted-'));
  const sink = new ResultSink(dir);
  try {
    const planned: Cell = {
      id: `${os}@${cell}`,
      guest: { name: `${os}-scripted`, withoutDrivers: [], extraKernelArgs: '' },
      hypervisor: { name: 'scripted', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices: [], extraKernelArgs: '' } as QemuConfig,
      suites: SUITES,
      checks,
    };
    const deps: CellDeps = {
      resolveImage: async () => ({ ...FAKE_IMAGE, name: `${os}-scripted`, os }),
      providerFor: async () => fakeProvider({ offers, hostKv }),
      connect: async () => ({ ...untouchableShell }),
      adapterFor: async () => guest,
    };
    await runCell(planned, { run: 'r', plan: 'p', runDir: dir, workRoot: join(dir, 'work'), sink, signal: new AbortController().signal, log: () => {}, notice: () => {} }, deps);
  } finally {
    sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
  t.equal(sink.results[0]?.state, 'pass', 'boot/ssh');
  for (const check of checks) {
    const result = sink.results.find((r) => r.check === check.id);
    const [state, message] = [result?.state ?? 'missing', result?.message ?? 'no result'];
    t.not(state, 'error', `${check.id}: ${message}`);
    let stated = check.expected[cell] ?? '';
    const as = /^as ([a-z/]+)/.exec(stated);
    if (as) stated = check.expected[as[1] as HypervisorCell] ?? '';
    const word = /^(pass|fail|skip)\b/.exec(stated)?.[1];
    // BSD checks on the other BSD are skipped by `os`, whatever the table says for the hypervisor.
    if (!check.os.includes(os)) t.equal(state, 'skip', `${check.id}: not for ${os}`);
    else if (word) t.equal(state, word, `${check.id} on ${cell} (${os}): expected "${stated}", got ${state}: ${message}`);
    else t.fail(`${check.id}: expectation for ${cell} does not start with pass/fail/skip: "${stated}"`);
  }
}

t.test('OpenBSD on QEMU with KVM', async (t) => {
  const fs = new Map<string, string>();
  const script: Script = {
    os: 'openbsd',
    boot: openbsdWithPvbusText('KVM'),
    commands: [probeAnswers(kvmRoot, userReport('outsider', ['KVM']), userReport('wheel', ['KVM'])), [/^\/usr\/sbin\/hostctl\b/, fakeHostctl(['KVM'], xenStore({}), fs)], ...openbsdCommon(fs)],
  };
  await runAll(t, 'qemu/kvm', 'openbsd', script, { ...base, family: 'qemu', accel: 'kvm', interfaces: ['KVM'], kvStore: null });
});

t.test('OpenBSD on QEMU under TCG', async (t) => {
  const fs = new Map<string, string>();
  // No signature: pvbus never attaches; the nodes answer ENODEV to whoever may open them (§1.3).
  const wheel = report([node(0, { open: 'ENODEV', openRdwr: 'EACCES' }), node(1, { open: 'ENODEV', openRdwr: 'EACCES' })], { uid: 1001 });
  const script: Script = {
    os: 'openbsd',
    boot: openbsdWithPvbusText(null),
    commands: [probeAnswers(tcgRoot, userReport('outsider', []), wheel), [/^\/usr\/sbin\/hostctl\b/, fakeHostctl([], xenStore({}), fs)], ...openbsdCommon(fs)],
  };
  await runAll(t, 'qemu/tcg', 'openbsd', script, { ...base, family: 'qemu', accel: 'tcg', interfaces: [], kvStore: null });
});

t.test('OpenBSD on Xen (HVM), with dom0 reachable', async (t) => {
  const fs = new Map<string, string>();
  const store = xenStore({ 'device/vif/0/mac': XEN_MAC, 'device/vbd/768/state': '4', 'device/vfb/0/state': '4', name: 'guest' });
  let refused = 0;
  const counting = { read: store.read, write: (ty: string, k: string, v: string) => {
    const r = store.write(ty, k, v);
    if ('errno' in r && r.errno === 'EIO') refused++;
    return r;
  } };
  const boot = openbsdXenText(XEN_MAC);
  const script: Script = {
    os: 'openbsd',
    boot,
    // §5.1: xs_cmd logs each refused oversized request on the console.
    kernel: () => boot + 'xen0: message type 11 with payload above the limit\n'.repeat(refused),
    commands: [probeAnswers(xenRoot, userReport('outsider', ['Xen']), userReport('wheel', ['Xen'])), [/^\/usr\/sbin\/hostctl\b/, fakeHostctl(['Xen'], counting, fs)], ...openbsdCommon(fs)],
  };
  const dom0: HostKv = {
    read: async (k) => store.data.get(k) ?? null,
    write: async (k, v) => void store.data.set(k, v),
    remove: async (k) => void store.data.delete(k),
    list: async (p) => [...store.data.keys()].filter((k) => k.startsWith(p)),
  };
  await runAll(t, 'xen', 'openbsd', script, { ...base, family: 'xen', interfaces: ['Xen'], kvStore: 'xenstore', nics: [{ mac: XEN_MAC }] }, dom0);
});

t.test('OpenBSD on Hyper-V, with the host side reachable', async (t) => {
  const fs = new Map<string, string>();
  // §4.4: kvp_pool_auto[] on OpenBSD 7.6 amd64.
  const pools = hypervPools({ FullyQualifiedDomainName: '', ...OPENBSD_76_AUTO_POOL });
  const script: Script = {
    os: 'openbsd',
    boot: openbsdHypervText(),
    commands: [probeAnswers(hypervRoot, userReport('outsider', ['Hyper-V']), userReport('wheel', ['Hyper-V'])), [/^\/usr\/sbin\/hostctl\b/, fakeHostctl(['Hyper-V'], pools, fs)], ...openbsdCommon(fs)],
  };
  const pool = (k: string) => pools.pools[k.slice(0, k.lastIndexOf('/')).toLowerCase()];
  const name = (k: string) => k.slice(k.lastIndexOf('/') + 1);
  const host: HostKv = {
    read: async (k) => pool(k)?.get(name(k)) ?? null,
    write: async (k, v) => void pool(k).set(name(k), v),
    remove: async (k) => void pool(k).delete(name(k)),
    list: async () => [],
  };
  await runAll(t, 'hyperv', 'openbsd', script, { ...base, family: 'hyperv', interfaces: ['Hyper-V'], kvStore: 'hyperv-kvp', nics: [{ mac: '00:15:5d:00:01:02' }] }, host);
});

t.test('NetBSD on Xen, with dom0 reachable', async (t) => {
  const store = xenStore({ 'device/vif/0/mac': XEN_MAC, 'device/vbd/768/state': '4' });
  // The probe speaking XenStore through /kern/xen/xenbus (§8.1), answered from the store.
  const xenbus = (command: string, who: string) => {
    const w = words(command).slice(2);
    const ops = [];
    for (let i = 0; i < w.length; ) {
      const [op, path] = [w[i], w[i + 1]];
      const value = op === 'write' ? w[i + 2] : null;
      i += op === 'write' ? 3 : 2;
      let reply: { type: number; payload: string };
      if (op === 'write') reply = (store.write('Xen', path, value!), { type: 11, payload: 'OK\u0000' });
      else {
        const r = store.read('Xen', path);
        reply = 'errno' in r ? { type: 16, payload: `${r.errno}\u0000` } : op === 'dir' ? { type: 1, payload: r.value.split('\n').map((e) => `${e}\u0000`).join('') } : { type: 2, payload: r.value };
      }
      ops.push({ op, path, value, ok: reply.type !== 16, stage: null, errno: null, detail: null, reply: { type: reply.type, typeName: { 1: 'DIRECTORY', 2: 'READ', 11: 'WRITE', 16: 'ERROR' }[reply.type] ?? null, reqId: ops.length + 1, len: reply.payload.length, payload: reply.payload }, error: reply.type === 16 ? reply.payload.slice(0, -1) : null, ...(reply.type === 1 ? { entries: reply.payload.split('\u0000').filter(Boolean) } : {}) });
    }
    const root = who === 'root';
    return {
      stdout: JSON.stringify({
        probe: 'pvprobe', version: 1, mode: 'xenbus',
        platform: { sysname: 'NetBSD', release: '10.1', machine: 'amd64', uid: root ? 0 : 1000 },
        device: { path: '/kern/xen/xenbus', stat: { ok: true, errno: null, kind: 'file', mode: '0600', uid: 0, gid: 0, owner: 'root', group: 'wheel' }, open: root ? { ok: true, errno: null } : { ok: false, errno: 'EACCES' } },
        ops: root ? ops : [],
      }),
    };
  };
  const script: Script = { os: 'netbsd', boot: netbsdXenText(XEN_MAC), commands: [[/pvprobe xenbus/, xenbus]] };
  const dom0: HostKv = { read: async (k) => store.data.get(k) ?? null, write: async () => {}, remove: async () => {}, list: async () => [] };
  await runAll(t, 'xen', 'netbsd', script, { ...base, family: 'xen', interfaces: ['Xen'], kvStore: 'xenstore', nics: [{ mac: XEN_MAC }] }, dom0);
});

t.test('host halves skip where the provider has no host side', async (t) => {
  const hostHalves = checks.filter((c) => c.requires.hostKv);
  t.ok(hostHalves.length >= 4);
  for (const c of hostHalves) {
    const offers: Offers = { ...base, family: c.requires.families?.[0] ?? 'xen', interfaces: ['Xen', 'Hyper-V'], kvStore: c.requires.kvStore ?? null, nics: [] };
    t.match(unmetRequirement(c, c.os[0], offers, false), /no host-side access/, c.id);
  }
});
