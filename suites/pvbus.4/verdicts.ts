// pvbus(4)'s verdicts as pure functions of what was gathered: the attach tree, the probe's report,
// the installed page and header. Every fact they lean on is in guest-facts.md §1 and §3.
import type { Verdict } from '../../harness/core/checks.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { findDevice, type AttachTree } from '../../harness/bootlog/index.ts';
import type { PvbusDevice, PvbusReport, PvbusCall } from '../probe/report.ts';
import { outcome } from '../probe/report.ts';
import { KV_BACKENDS, MANUAL_LISTS, STORE_INTERFACE, VERSIONED, inTableOrder } from '../probe/pvbus-facts.ts';
import type { KvStore } from '../../harness/core/offers.ts';
import { fail, pass, skip } from '../probe/check-kit.ts';

const list = (names: readonly string[]) => (names.length ? names.join(', ') : 'none');

export function deviceAt(report: PvbusReport, minor: number): PvbusDevice | undefined {
  return report.devices.find((d) => d.path === `/dev/pvbus${minor}`);
}

function minorOf(d: PvbusDevice): number {
  const m = /(\d+)$/.exec(d.path);
  return m ? Number(m[1]) : -1;
}

function existing(report: PvbusReport): PvbusDevice[] {
  return report.devices.filter((d) => d.stat.ok);
}

/** The minor the offered store answers on: the one whose TYPE names the store's interface. */
export function kvDevice(report: PvbusReport, store: KvStore): PvbusDevice | undefined {
  return report.devices.find((d) => typeOf(d) === STORE_INTERFACE[store]);
}

function typeOf(d: PvbusDevice): string | null {
  const t = d.calls['type'];
  return t?.ok ? t.value : null;
}

/** §1.2: pvbus0's line names every detected interface in pvbus_types[] order, Hyper-V and Xen
 *  with "major.minor". */
export function judgeAttachLine(tree: AttachTree, offered: readonly string[]): Verdict {
  const expected = inTableOrder(offered);
  const pvbus = findDevice(tree, 'pvbus0');
  if (expected.length === 0) {
    return pvbus
      ? fail(`the provider offers no hypervisor interface, yet pvbus0 attached: "${pvbus.description ?? ''}"`)
      : pass('no hypervisor interface offered (no CPUID signature) and no pvbus0 attached');
  }
  if (!pvbus) return fail(`no pvbus0 line in the boot messages; the provider offers ${list(expected)}`);
  if (pvbus.parent !== 'mainbus0') return fail(`pvbus0 attached at ${pvbus.parent ?? '?'}, not at mainbus0`);
  const seen = tree.hypervisors.map((h) => h.name);
  if (seen.join(',') !== expected.join(',')) {
    const sameSet = [...seen].sort().join(',') === [...expected].sort().join(',');
    return fail(
      sameSet
        ? `pvbus0 lists ${list(seen)}: the offered interfaces, but not in pvbus's table order (${list(expected)})`
        : `pvbus0 lists ${list(seen)}; the provider offers ${list(expected)}`,
    );
  }
  for (const h of tree.hypervisors) {
    if (VERSIONED.has(h.name) && !h.version) return fail(`pvbus0 prints ${h.name} without its "major.minor" version: "${h.raw}"`);
    if (!VERSIONED.has(h.name) && h.version) return fail(`pvbus0 prints a version after ${h.name}, which pvbus.c never does: "${h.raw}"`);
  }
  return pass(`pvbus0 at mainbus0: ${pvbus.description}`);
}

/** §1.3: minor N is the N-th detected interface; a node past the last answers open() with ENXIO,
 *  and every node answers ENODEV when pvbus did not attach at all. */
export function judgeDevicePerInterface(report: PvbusReport, offered: readonly string[]): Verdict {
  const expected = inTableOrder(offered);
  const problems: string[] = [];
  const notes: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const d = deviceAt(report, i);
    if (!d || !d.stat.ok) problems.push(`/dev/pvbus${i} (for ${expected[i]}) does not exist${d && !d.stat.ok ? ` (${d.stat.errno})` : ''}`);
    else if (d.stat.kind !== 'char') problems.push(`/dev/pvbus${i} is a ${d.stat.kind}, not a character special file`);
    else if (!d.openRdonly.ok) problems.push(`/dev/pvbus${i} (for ${expected[i]}) does not open: ${d.openRdonly.errno}`);
    else notes.push(`/dev/pvbus${i} opens`);
  }
  const wantBeyond = expected.length === 0 ? 'ENODEV' : 'ENXIO';
  for (const d of existing(report)) {
    if (minorOf(d) < expected.length) continue;
    if (d.openRdonly.ok) problems.push(`${d.path} opens although only ${expected.length} interface(s) are offered`);
    else if (d.openRdonly.errno !== wantBeyond) problems.push(`${d.path} refuses open() with ${d.openRdonly.errno}, expected ${wantBeyond}`);
    else notes.push(`${d.path} answers ${wantBeyond}`);
  }
  if (problems.length) return fail(problems.join('; '));
  if (notes.length === 0) return skip('no interface offered and no /dev/pvbus* node to try');
  return pass(`${expected.length} interface(s) offered (${list(expected)}): ${notes.join(', ')}`);
}

/** §3 (MAKEDEV): every pvbus node is a character device, root:wheel, mode 0640. */
export function judgeDevicePermissions(report: PvbusReport): Verdict {
  const nodes = existing(report);
  if (nodes.length === 0) return fail('no /dev/pvbus* node exists (MAKEDEV all creates pvbus0 and pvbus1)');
  const problems: string[] = [];
  for (const d of nodes) {
    if (!d.stat.ok) continue;
    const owner = d.stat.owner ?? `uid ${d.stat.uid}`;
    const group = d.stat.group ?? `gid ${d.stat.gid}`;
    if (d.stat.kind !== 'char' || d.stat.mode !== '0640' || owner !== 'root' || group !== 'wheel')
      problems.push(`${d.path} is ${d.stat.kind} ${owner}:${group} ${d.stat.mode}`);
  }
  if (problems.length) return fail(`${problems.join('; ')}; expected char root:wheel 0640`);
  return pass(`${nodes.map((d) => d.path).join(', ')}: char root:wheel 0640`);
}

/** §1.2, §1.3: TYPE on minor N returns the name of the N-th detected interface. */
export function judgeTypePerMinor(report: PvbusReport, offered: readonly string[]): Verdict {
  const expected = inTableOrder(offered);
  if (expected.length === 0) return skip('no hypervisor interface offered, so no minor to ask its type');
  const problems: string[] = [];
  const seen: string[] = [];
  const unlisted: string[] = [];
  expected.forEach((name, i) => {
    const d = deviceAt(report, i);
    const t = d?.calls['type'];
    if (!d || !d.openRdonly.ok) problems.push(`/dev/pvbus${i} did not open (${d?.openRdonly.errno ?? 'no node'})`);
    else if (!t?.ok) problems.push(`TYPE on /dev/pvbus${i} failed: ${outcome(t)}`);
    else if (t.value !== name) problems.push(`TYPE on /dev/pvbus${i} says "${t.value}", expected "${name}"`);
    else {
      seen.push(`pvbus${i}=${t.value}`);
      if (!MANUAL_LISTS.has(t.value)) unlisted.push(t.value);
    }
  });
  if (problems.length) return fail(problems.join('; '));
  const note = unlisted.length ? ` (${unlisted.join(', ')} is detected and typed, but pvbus.4's Supported hypervisors list does not name it)` : '';
  return pass(`${seen.join(', ')}${note}`);
}

/** §1.4 step 4: TYPE needs room for the name and its NUL; one byte short gives ENOMEM. */
export function judgeTypeShortBuffer(report: PvbusReport): Verdict {
  const judged = report.devices.filter((d) => d.calls['type']?.ok);
  if (judged.length === 0) return skip('no minor answered TYPE, so there is no name to fall one byte short of');
  const problems: string[] = [];
  for (const d of judged) {
    const s = d.calls['type-short'];
    if (!s) problems.push(`${d.path}: the short TYPE call was not made`);
    else if (s.ok) problems.push(`${d.path}: TYPE with keylen ${s.keylen} (no room for the NUL) succeeded, returning "${s.value}"`);
    else if (s.errno !== 'ENOMEM') problems.push(`${d.path}: TYPE with keylen ${s.keylen} failed with ${s.errno}, expected ENOMEM`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(judged.map((d) => `${d.path}: keylen ${d.calls['type-short']!.keylen} for "${typeOf(d)}" gives ENOMEM`).join('; '));
}

interface KvRead {
  device: PvbusDevice;
  store: string;
  read: PvbusCall;
  value: string;
}

/** The kv minor and the test key's value; InfraError when the harness's key cannot be read. */
function kvRead(report: PvbusReport, store: KvStore): KvRead | Verdict {
  const device = kvDevice(report, store);
  if (!device) {
    const types = report.devices.map((d) => `${d.path}=${typeOf(d) ?? outcome(d.calls['type'])}`).join(', ');
    return fail(`the ${store} store is offered, but no /dev/pvbusN reports ${STORE_INTERFACE[store]} (${types})`);
  }
  const read = [device.calls['kvread-64k'], device.calls['kvread-4096']].find((c) => c?.ok);
  if (!read || read.value === null)
    throw new InfraError(
      `the test key "${report.key}" could not be read on ${device.path} (64 KiB: ${outcome(device.calls['kvread-64k'])}, 4096: ${outcome(device.calls['kvread-4096'])}); the harness must pick a key this host has`,
    );
  return { device, store: typeOf(device) ?? '?', read, value: read.value };
}

const isVerdict = (x: KvRead | Verdict): x is Verdict => 'state' in x;

/** pvbus.4: "If pvr_valuelen is not enough for the value, the command will fail and errno(2) is
 *  set to ERANGE." A 1-byte buffer and one a byte short of value + NUL are both not enough. */
export function judgeKvreadErange(report: PvbusReport, store: KvStore): Verdict {
  const kv = kvRead(report, store);
  if (isVerdict(kv)) return kv;
  if (kv.value.length === 0) throw new InfraError(`the test key "${report.key}" is empty, so no buffer is too small for it; pick a non-empty key`);
  const problems: string[] = [];
  for (const name of ['kvread-1', 'kvread-short']) {
    const c = kv.device.calls[name];
    if (!c) problems.push(`${name} was not made`);
    else if (c.errno !== 'ERANGE') problems.push(`KVREAD of ${kv.value.length + 1} bytes into a ${c.valuelen}-byte buffer gave ${outcome(c)}${c.ok ? ` ("${c.value}")` : ''}, not ERANGE`);
  }
  if (problems.length) return fail(`${kv.store}: ${problems.join('; ')}`);
  return pass(`${kv.store}: "${report.key}" (${kv.value.length} chars) into 1 and ${kv.value.length}-byte buffers: ERANGE both`);
}

/** pvbus.4's ERANGE sentence read the other way: a buffer with room for the value and its NUL is
 *  enough. Hyper-V's backend wants 1024 bytes whatever the value (§4.3): the page does not say so. */
export function judgeKvreadExactFit(report: PvbusReport, store: KvStore): Verdict {
  const kv = kvRead(report, store);
  if (isVerdict(kv)) return kv;
  const c = kv.device.calls['kvread-exact'];
  if (!c) return fail('the exact-fit KVREAD was not made');
  if (c.ok && c.value === kv.value) return pass(`${kv.store}: "${report.key}" read into exactly ${c.valuelen} bytes (value + NUL)`);
  if (c.ok) return fail(`${kv.store}: the exact-fit read returned "${c.value}", the large-buffer read "${kv.value}"`);
  const why =
    kv.store === 'Hyper-V' && c.errno === 'ERANGE'
      ? `; hypervic.c refuses value buffers under 1024 bytes before looking the key up (guest-facts.md §4.3), which pvbus.4 does not mention: the page promises ERANGE only when the buffer is not enough`
      : '';
  return fail(`${kv.store}: "${report.key}" (${kv.value.length} chars) into a ${c.valuelen}-byte buffer gave ${c.errno}${why}`);
}

/** pvbus.4: KVWRITE "requires write permissions on the device file": EPERM on an O_RDONLY
 *  descriptor, checked before anything else (§1.4 step 2), so even on KVM. */
export function judgeKvwriteReadonly(report: PvbusReport): Verdict {
  const opened = report.devices.filter((d) => d.openRdonly.ok);
  if (opened.length === 0) return skip('no /dev/pvbusN opened, so there is no descriptor to write through');
  const problems: string[] = [];
  const seen: string[] = [];
  for (const d of opened) {
    const ro = d.calls['kvwrite-rdonly'];
    if (!ro) problems.push(`${d.path}: the read-only KVWRITE was not made`);
    else if (ro.errno !== 'EPERM') problems.push(`${d.path}: KVWRITE on an O_RDONLY descriptor gave ${outcome(ro)}, expected EPERM`);
    else seen.push(`${d.path} O_RDONLY: EPERM`);
    const rw = d.calls['kvwrite-rdwr'];
    if (rw && rw.errno === 'EPERM') problems.push(`${d.path}: KVWRITE on an O_RDWR descriptor also gave EPERM`);
    else if (rw) seen.push(`O_RDWR: ${outcome(rw)}`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(seen.join(', '));
}

/** §1.4 step 3, §1.5: KVM, bhyve and OpenBSD vmm have no kv backend: KVREAD and KVWRITE give ENXIO. */
export function judgeNoKvEnxio(report: PvbusReport): Verdict {
  const noKv = report.devices.filter((d) => {
    const t = typeOf(d);
    return t !== null && !KV_BACKENDS.has(t);
  });
  if (noKv.length === 0) return skip('no minor reports an interface without a key/value store (KVM, bhyve, OpenBSD)');
  const problems: string[] = [];
  const seen: string[] = [];
  for (const d of noKv) {
    const calls: Array<[string, PvbusCall | undefined]> = [
      ['KVREAD', d.calls['kvread-64k']],
      ['KVREAD (1-byte buffer)', d.calls['kvread-1']],
      ['KVWRITE on O_RDWR', d.calls['kvwrite-rdwr']],
    ];
    for (const [what, c] of calls) {
      if (!c) problems.push(`${d.path} (${typeOf(d)}): ${what} was not made`);
      else if (c.errno !== 'ENXIO') problems.push(`${d.path} (${typeOf(d)}): ${what} gave ${outcome(c)}, expected ENXIO`);
    }
    seen.push(`${d.path} (${typeOf(d)})`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(`${seen.join(', ')}: KVREAD and KVWRITE give ENXIO`);
}

/** §1.4 step 6: a buffer length under 1 is EINVAL, over PVBUS_KVOP_MAXSIZE (64 KiB since 2023,
 *  PAGE_SIZE before) ENAMETOOLONG; the kernel judges the buffer lengths, not the strings. */
export function judgeLengthBounds(report: PvbusReport, store: KvStore, release: { major: number; minor: number } | null): Verdict {
  const kv = kvRead(report, store);
  if (isVerdict(kv)) return kv;
  const c = (n: string) => kv.device.calls[n];
  const want: Array<[string, string]> = [
    ['kvread-keylen-0', 'EINVAL'],
    ['kvread-valuelen-0', 'EINVAL'],
    ['kvread-keylen-64k+1', 'ENAMETOOLONG'],
    ['kvread-64k+1', 'ENAMETOOLONG'],
  ];
  const problems: string[] = [];
  for (const [name, errno] of want) {
    const call = c(name);
    if (!call) problems.push(`${name} was not made`);
    else if (call.errno !== errno) problems.push(`${name.replace('kvread-', '')} gave ${outcome(call)}, expected ${errno}`);
  }
  // Which bound: 4097-byte buffers pass under the 64 KiB bound and fail under PAGE_SIZE.
  const at4097 = [c('kvread-keylen-4097'), c('kvread-valuelen-4097')];
  const at64k = c('kvread-64k');
  const tooLong = (x: PvbusCall | undefined) => x?.errno === 'ENAMETOOLONG';
  let bound: string;
  if (at4097.every((x) => x && !tooLong(x)) && at64k && !tooLong(at64k)) bound = '65536';
  else if (at4097.every(tooLong) && tooLong(at64k)) bound = '4096 (PAGE_SIZE)';
  else {
    problems.push(
      `inconsistent bound: keylen 4097 ${outcome(at4097[0])}, valuelen 4097 ${outcome(at4097[1])}, valuelen 65536 ${outcome(at64k)}`,
    );
    bound = 'unknown';
  }
  if (problems.length) return fail(`${kv.store}: ${problems.join('; ')}`);
  const newKernel = release ? release.major > 7 || (release.major === 7 && release.minor >= 3) : null;
  const expectedBound = newKernel === null ? null : newKernel ? '65536' : '4096 (PAGE_SIZE)';
  const note =
    expectedBound === null
      ? ' (release unknown)'
      : expectedBound === bound
        ? ''
        : ` (a ${release!.major}.${release!.minor} kernel was expected to have ${expectedBound}; guest-facts.md GAPS 2: the pvbus.c revision of the change is not pinned)`;
  return pass(`${kv.store}: lengths of 0 give EINVAL, bound ${bound}: above it ENAMETOOLONG${note}`);
}

/** §3: nodes are root:wheel 0640, so a user outside wheel cannot open them at all. */
export function judgeOutsider(report: PvbusReport): Verdict {
  const nodes = existing(report);
  if (nodes.length === 0) return fail('no /dev/pvbus* node exists');
  if (report.platform.uid === 0) throw new InfraError('the unprivileged probe ran as uid 0');
  const problems: string[] = [];
  for (const d of nodes) {
    if (d.openRdonly.errno !== 'EACCES') problems.push(`${d.path} O_RDONLY: ${d.openRdonly.ok ? 'opened' : d.openRdonly.errno}`);
    if (d.openRdwr.errno !== 'EACCES') problems.push(`${d.path} O_RDWR: ${d.openRdwr.ok ? 'opened' : d.openRdwr.errno}`);
  }
  if (problems.length) return fail(`as uid ${report.platform.uid} outside wheel, expected EACCES: ${problems.join('; ')}`);
  return pass(`as uid ${report.platform.uid} outside wheel: ${nodes.map((d) => d.path).join(', ')} refuse O_RDONLY and O_RDWR with EACCES`);
}

/** pvbus.4: KVWRITE "requires write permissions on the device file"; with 0640 root:wheel a wheel
 *  member reads (TYPE works) but cannot open for writing (§3). */
export function judgeWheelMember(report: PvbusReport, offered: readonly string[]): Verdict {
  const expected = inTableOrder(offered);
  if (report.platform.uid === 0) throw new InfraError('the wheel-member probe ran as uid 0');
  if (expected.length === 0) return skip('no hypervisor interface offered, so no node opens for anyone');
  const problems: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const d = deviceAt(report, i);
    if (!d || !d.stat.ok) {
      problems.push(`/dev/pvbus${i} does not exist`);
      continue;
    }
    if (!d.openRdonly.ok) problems.push(`${d.path} O_RDONLY refused: ${d.openRdonly.errno}`);
    else if (!d.calls['type']?.ok) problems.push(`${d.path} TYPE failed: ${outcome(d.calls['type'])}`);
    if (d.openRdwr.errno !== 'EACCES') problems.push(`${d.path} O_RDWR: ${d.openRdwr.ok ? 'opened' : d.openRdwr.errno}, expected EACCES`);
  }
  if (problems.length) return fail(`as a wheel member (uid ${report.platform.uid}): ${problems.join('; ')}`);
  return pass(`as a wheel member (uid ${report.platform.uid}): nodes open read-only and TYPE works; O_RDWR gives EACCES`);
}

/** Every ioctl name the installed pvbus.4 documents must be one <dev/pv/pvvar.h> defines: pvbus.4
 *  rev 1.14 names PVBUSIOC_KVTYPE, the header defines PVBUSIOC_TYPE (§1.1). A program written
 *  from the page then does not compile: that is a broken promise of the page, so fail. */
export function judgeIoctlNames(manSource: string | null, header: string | null): Verdict {
  if (manSource === null) return skip('/usr/share/man/man4/pvbus.4 is not installed (no man set), so there is no page to hold the header to');
  if (header === null) return skip('/usr/include/dev/pv/pvvar.h is not installed (no comp set)');
  const documented = [...new Set(manSource.match(/\bPVBUSIOC_[A-Z_]+\b/g) ?? [])];
  const defined = new Set([...header.matchAll(/^\s*#\s*define\s+(PVBUSIOC_[A-Z_]+)\b/gm)].map((m) => m[1]));
  if (documented.length === 0) return fail('the installed pvbus.4 names no PVBUSIOC_ command at all');
  const missing = documented.filter((n) => !defined.has(n));
  const undocumented = [...defined].filter((n) => !documented.includes(n));
  if (missing.length)
    return fail(
      `pvbus.4 documents ${missing.join(', ')}, which <dev/pv/pvvar.h> does not define (it defines ${[...defined].join(', ') || 'nothing'}); ` +
        `a program written from the page does not compile. The manual and the header disagree: guest-facts.md §1.1`,
    );
  return pass(`every command pvbus.4 documents (${documented.join(', ')}) is defined in <dev/pv/pvvar.h>${undocumented.length ? `; undocumented: ${undocumented.join(', ')}` : ''}`);
}
