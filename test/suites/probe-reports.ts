// Probe reports as an OpenBSD guest would print them, written from guest-facts.md (each builder
// names the facts it encodes). Every report goes through the probe's own schema, so a test input
// has the shape real output has.
import { pvbusReportSchema, xenbusReportSchema, type PvbusCall, type PvbusDevice, type PvbusReport, type XenbusOp, type XenbusReport } from '../../suites/probe/report.ts';

type Result = { value: string } | { errno: string };

export function call(ioctl: PvbusCall['ioctl'], fd: PvbusCall['fd'], keylen: number, valuelen: number, r: Result): PvbusCall {
  return 'value' in r
    ? { ioctl, fd, keylen, valuelen, ok: true, errno: null, value: r.value }
    : { ioctl, fd, keylen, valuelen, ok: false, errno: r.errno, value: null };
}

/** A node as MAKEDEV makes it: char, root:wheel 0640, major 95 (guest-facts.md §3). */
export function node(minor: number, parts: { open?: string | null; openRdwr?: string | null; calls?: Record<string, PvbusCall>; stat?: PvbusDevice['stat'] }): PvbusDevice {
  const open = parts.open ?? null;
  const rw = parts.openRdwr === undefined ? open : parts.openRdwr;
  return {
    path: `/dev/pvbus${minor}`,
    stat: parts.stat ?? { ok: true, errno: null, kind: 'char', mode: '0640', uid: 0, gid: 0, owner: 'root', group: 'wheel', major: 95, minor },
    openRdonly: open ? { ok: false, errno: open } : { ok: true, errno: null },
    openRdwr: rw ? { ok: false, errno: rw } : { ok: true, errno: null },
    calls: parts.calls ?? {},
  };
}

export function report(devices: PvbusDevice[], extra: { key?: string | null; writeKey?: string | null; uid?: number; kvtype?: boolean } = {}): PvbusReport {
  return pvbusReportSchema.parse({
    probe: 'pvprobe',
    version: 1,
    mode: 'pvbus',
    platform: { sysname: 'OpenBSD', release: '7.6', machine: 'amd64', uid: extra.uid ?? 0 },
    header: {
      file: 'dev/pv/pvvar.h',
      KVREAD: { value: '0xc0205601', from: 'system' },
      KVWRITE: { value: '0xc0205602', from: 'system' },
      TYPE: { value: '0xc0205603', from: 'system' },
      definesPVBUSIOC_TYPE: true,
      definesPVBUSIOC_KVTYPE: extra.kvtype ?? false,
      maxsize: 65536,
      maxsizeFrom: 'system',
      requestSize: 32,
    },
    key: extra.key ?? null,
    writeKey: extra.writeKey ?? null,
    writeValue: extra.writeKey ? 'pvconform' : null,
    devices,
  });
}

/** TYPE on a detected minor: the name and NUL fit in 256; one byte short of them is ENOMEM
 *  (§1.4 step 4). */
function typeCalls(name: string): Record<string, PvbusCall> {
  return {
    type: call('TYPE', 'rdonly', 256, 0, { value: name }),
    'type-short': call('TYPE', 'rdonly', name.length, 0, { errno: 'ENOMEM' }),
  };
}

/** Every kv call answering the same errno (ENXIO where there is no backend, §1.4 step 3). */
function kvCallsAll(key: string, errno: string): Record<string, PvbusCall> {
  const k = key.length + 1;
  return {
    'kvread-64k': call('KVREAD', 'rdonly', k, 65536, { errno }),
    'kvread-4096': call('KVREAD', 'rdonly', k, 4096, { errno }),
    'kvread-1': call('KVREAD', 'rdonly', k, 1, { errno }),
    'kvread-64k+1': call('KVREAD', 'rdonly', k, 65537, { errno }),
    'kvread-keylen-0': call('KVREAD', 'rdonly', 0, 65536, { errno }),
    'kvread-valuelen-0': call('KVREAD', 'rdonly', k, 0, { errno }),
    'kvread-keylen-4097': call('KVREAD', 'rdonly', 4097, 65536, { errno }),
    'kvread-valuelen-4097': call('KVREAD', 'rdonly', k, 4097, { errno }),
    'kvread-keylen-64k+1': call('KVREAD', 'rdonly', 65537, 65536, { errno }),
  };
}

/** A store with a backend: pvbusgetstr's bounds (§1.4 step 6: 0 → EINVAL, > 65536 →
 *  ENAMETOOLONG, the 2023 bound), the backend's ERANGE when the value does not fit (§1.4 step 8). */
function kvCallsStore(key: string, value: string, opts: { minCapacity?: number } = {}): Record<string, PvbusCall> {
  const k = key.length + 1;
  const min = opts.minCapacity ?? 0;
  const read = (valuelen: number): Result => (valuelen < value.length + 1 || valuelen < min ? { errno: 'ERANGE' } : { value });
  return {
    'kvread-64k': call('KVREAD', 'rdonly', k, 65536, read(65536)),
    'kvread-4096': call('KVREAD', 'rdonly', k, 4096, read(4096)),
    'kvread-exact': call('KVREAD', 'rdonly', k, value.length + 1, read(value.length + 1)),
    'kvread-short': call('KVREAD', 'rdonly', k, value.length, read(value.length)),
    'kvread-1': call('KVREAD', 'rdonly', k, 1, read(1)),
    'kvread-64k+1': call('KVREAD', 'rdonly', k, 65537, { errno: 'ENAMETOOLONG' }),
    'kvread-keylen-0': call('KVREAD', 'rdonly', 0, 65536, { errno: 'EINVAL' }),
    'kvread-valuelen-0': call('KVREAD', 'rdonly', k, 0, { errno: 'EINVAL' }),
    'kvread-keylen-4097': call('KVREAD', 'rdonly', 4097, 65536, { value }),
    'kvread-valuelen-4097': call('KVREAD', 'rdonly', k, 4097, read(4097)),
    'kvread-keylen-64k+1': call('KVREAD', 'rdonly', 65537, 65536, { errno: 'ENAMETOOLONG' }),
  };
}

/** KVWRITE: EPERM on O_RDONLY before anything else (§1.4 step 2); on O_RDWR the backend's answer. */
function writeCalls(writeKey: string, rdwr: Result): Record<string, PvbusCall> {
  const k = writeKey.length + 1;
  return {
    'kvwrite-rdonly': call('KVWRITE', 'rdonly', k, 10, { errno: 'EPERM' }),
    'kvwrite-rdwr': call('KVWRITE', 'rdwr', k, 10, rdwr),
  };
}

export const NO_STORE_KEY = 'pvconform/no-store';

/** OpenBSD on KVM as root: pvbus0 is KVM (§1.3), no kv backend so ENXIO (§1.5); MAKEDEV all made
 *  pvbus1 too, and minor 1 is beyond the detected interfaces: ENXIO at open (§1.3). */
export function kvmRoot(): PvbusReport {
  return report(
    [
      node(0, { calls: { ...typeCalls('KVM'), ...kvCallsAll(NO_STORE_KEY, 'ENXIO'), ...writeCalls(NO_STORE_KEY, { errno: 'ENXIO' }) } }),
      node(1, { open: 'ENXIO' }),
    ],
    { key: NO_STORE_KEY, writeKey: NO_STORE_KEY },
  );
}

/** QEMU under TCG: no signature, pvbus never attached, every node answers ENODEV (§1.3). */
export function tcgRoot(): PvbusReport {
  return report([node(0, { open: 'ENODEV' }), node(1, { open: 'ENODEV' })], { key: NO_STORE_KEY, writeKey: NO_STORE_KEY });
}

export const XEN_MAC = '00:16:3e:5e:6c:01';

/** OpenBSD on Xen HVM: pvbus0 is Xen, xs_kvop reads device/vif/0/mac, ERANGE when it does not fit
 *  (§5.1), a write of data/... succeeds and returns "" (§2.4). */
export function xenRoot(): PvbusReport {
  const key = 'device/vif/0/mac';
  return report(
    [
      node(0, { calls: { ...typeCalls('Xen'), ...kvCallsStore(key, XEN_MAC), ...writeCalls('data/pvconform-x', { value: '' }) } }),
      node(1, { open: 'ENXIO' }),
    ],
    { key, writeKey: 'data/pvconform-x' },
  );
}

/** OpenBSD on Hyper-V: pvbus0 is Hyper-V; hv_kvop answers ERANGE for any value buffer under 1024
 *  bytes before the lookup (§4.3); Auto/OSName is "OpenBSD" (§4.4); a Guest insert leaves the
 *  value in place (§2.4). */
export function hypervRoot(): PvbusReport {
  const key = 'Auto/OSName';
  return report(
    [
      node(0, { calls: { ...typeCalls('Hyper-V'), ...kvCallsStore(key, 'OpenBSD', { minCapacity: 1024 }), ...writeCalls('Guest/pvconform-x', { value: 'pvconform' }) } }),
      node(1, { open: 'ENXIO' }),
    ],
    { key, writeKey: 'Guest/pvconform-x' },
  );
}

/** As an unprivileged user: who can open what follows root:wheel 0640 (§3). */
export function userReport(role: 'outsider' | 'wheel', interfaces: string[]): PvbusReport {
  const uid = role === 'outsider' ? 1000 : 1001;
  const devices = [0, 1].map((minor) =>
    role === 'outsider'
      ? node(minor, { open: 'EACCES' })
      : minor < interfaces.length
        ? node(minor, { openRdwr: 'EACCES', calls: typeCalls(interfaces[minor]) })
        : node(minor, { open: 'ENXIO', openRdwr: 'EACCES' }),
  );
  return report(devices, { uid });
}

export function xenbusReport(ops: XenbusOp[], extra: { uid?: number; stat?: XenbusReport['device']['stat']; open?: string | null } = {}): XenbusReport {
  return xenbusReportSchema.parse({
    probe: 'pvprobe',
    version: 1,
    mode: 'xenbus',
    platform: { sysname: 'NetBSD', release: '10.1', machine: 'amd64', uid: extra.uid ?? 0 },
    device: {
      path: '/kern/xen/xenbus',
      // xenbus_kernfs_init: a root-only kernfs file, mode 0600 (§8.1).
      stat: extra.stat ?? { ok: true, errno: null, kind: 'file', mode: '0600', uid: 0, gid: 0, owner: 'root', group: 'wheel' },
      open: extra.open ? { ok: false, errno: extra.open } : { ok: true, errno: null },
    },
    ops: extra.open ? [] : ops,
  });
}

/** A XenStore reply as the probe reports it. */
export function xsReply(op: 'read' | 'dir' | 'write', path: string, reply: { type: number; payload: string }, value: string | null = null): XenbusOp {
  const names: Record<number, string> = { 1: 'DIRECTORY', 2: 'READ', 11: 'WRITE', 16: 'ERROR' };
  const base: XenbusOp = {
    op,
    path,
    value,
    ok: reply.type !== 16,
    stage: null,
    errno: null,
    detail: null,
    reply: { type: reply.type, typeName: names[reply.type] ?? null, reqId: 1, len: reply.payload.length, payload: reply.payload },
    error: reply.type === 16 ? reply.payload.replace(/\0$/, '') : null,
  };
  if (reply.type === 1) base.entries = reply.payload.split('\0').filter(Boolean);
  return base;
}

/** The Hyper-V Auto pool of an OpenBSD 7.6 amd64 guest (GENERIC.MP#338), as kvp_pool_auto[]
 *  fills it (guest-facts.md §4.4): the "6.6" version numbers are hard-coded there. */
export const OPENBSD_76_AUTO_POOL = {
  IntegrationServicesVersion: '6.6.6',
  NetworkAddressIPv4: '127.0.0.1',
  NetworkAddressIPv6: '::1',
  OSBuildNumber: 'GENERIC.MP#338',
  OSName: 'OpenBSD',
  OSMajorVersion: '6',
  OSMinorVersion: '6',
  OSVersion: '7.6',
  ProcessorArchitecture: '9',
};
