// xenbus(4)'s verdicts on NetBSD: the attach lines and the XenStore wire protocol spoken through
// /kern/xen/xenbus by the probe (guest-facts.md §8.1).
import type { Verdict } from '../../harness/core/checks.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { findDevice, type AttachTree } from '../../harness/bootlog/index.ts';
import type { XenbusOp, XenbusReport } from '../probe/report.ts';
import { fail, pass, skip } from '../probe/check-kit.ts';

/** A reply's payload as a value: xenstored sends XS_READ values without a NUL; one is tolerated. */
const valueOf = (op: XenbusOp) => (op.reply?.payload ?? '').replace(/\0$/, '');

function describeOp(op: XenbusOp | undefined): string {
  if (!op) return 'not made';
  if (op.stage) return `${op.stage}() failed: ${op.errno ?? op.detail}`;
  if (op.error) return `XenStore error ${op.error}`;
  return `reply ${op.reply?.typeName ?? op.reply?.type} ${JSON.stringify(valueOf(op))}`;
}

/** "xenbus0 at hypervisor0: Xen Virtual Bus Interface" and "xenbus0: using event channel N". */
export function judgeEventChannel(tree: AttachTree): Verdict {
  const xb = findDevice(tree, 'xenbus0');
  if (!xb) return fail('no xenbus0 in the boot messages');
  if (xb.parent !== 'hypervisor0') return fail(`xenbus0 attached at ${xb.parent ?? '?'}, not hypervisor0`);
  if (!tree.xenbus) return fail('no "xenbus0: using event channel N" line (aprint_verbose, always in the message buffer)');
  return pass(`xenbus0 at hypervisor0: ${xb.description ?? ''}; using event channel ${tree.xenbus.eventChannel}`);
}

/** xbd and xennet attach at xenbus0 ("id N") for the vbd and vif XenStore lists; xennet's MAC
 *  is the one the provider gave. */
export function judgeFrontends(tree: AttachTree, listing: XenbusOp | undefined, mac: string | null): Verdict {
  if (!listing || !listing.ok || !listing.entries) return fail(`listing XenStore's device/ failed: ${describeOp(listing)}`);
  const problems: string[] = [];
  const seen: string[] = [];
  const want: Array<[string, string]> = [
    ['vbd', 'xbd'],
    ['vif', 'xennet'],
  ];
  for (const [node, driver] of want) {
    if (!listing.entries.includes(node)) continue;
    const devices = tree.devices.filter((d) => d.driver === driver);
    if (devices.length === 0) {
      problems.push(`XenStore lists ${node}, but no ${driver} attached`);
      continue;
    }
    for (const d of devices) {
      if (d.parent !== 'xenbus0') problems.push(`${d.name} attached at ${d.parent ?? '?'}, not xenbus0`);
      else if (!/^id \d+$/.test(d.locator ?? '')) problems.push(`${d.name} at xenbus0 without "id N": "${d.locator ?? ''}"`);
      else seen.push(`${d.name} at xenbus0 ${d.locator}`);
    }
    if (driver === 'xennet' && mac) {
      const first = devices[0];
      if (first.address?.toLowerCase() !== mac.toLowerCase()) problems.push(`${first.name} has MAC ${first.address ?? 'none printed'}; the provider gave ${mac}`);
    }
  }
  if (problems.length) return fail(problems.join('; '));
  if (seen.length === 0) return skip(`XenStore's device/ lists neither vbd nor vif (${listing.entries.join(', ') || 'nothing'})`);
  return pass(seen.join('; '));
}

/** /kern/xen/xenbus is created root-only, mode 0600 (xenbus_dev.c xenbus_kernfs_init). */
export function judgeKernfsNode(report: XenbusReport): Verdict {
  const st = report.device.stat;
  if (!st.ok) return fail(`${report.device.path}: ${st.errno} (is kernfs mounted on /kern?)`);
  const owner = st.owner ?? `uid ${st.uid}`;
  if (st.mode !== '0600' || st.uid !== 0) return fail(`${report.device.path} is ${owner} ${st.mode}; expected root 0600`);
  return pass(`${report.device.path}: ${owner} 0600`);
}

/** A user other than root cannot open it (mode 0600). */
export function judgeNotForUsers(report: XenbusReport): Verdict {
  if (report.platform.uid === 0) throw new InfraError('the unprivileged probe ran as uid 0');
  if (report.device.open.ok) return fail(`uid ${report.platform.uid} opened ${report.device.path}`);
  if (report.device.open.errno !== 'EACCES') return fail(`uid ${report.platform.uid}: open gave ${report.device.open.errno}, expected EACCES`);
  return pass(`uid ${report.platform.uid}: EACCES`);
}

/** A read and a directory listing through the file: device/vif/0/mac is the provider's MAC. */
export function judgeRead(report: XenbusReport, mac: string | null): Verdict {
  if (!report.device.open.ok) return fail(`${report.device.path} did not open: ${report.device.open.errno}`);
  const dir = report.ops.find((o) => o.op === 'dir');
  if (!dir?.ok || !dir.entries || dir.entries.length === 0) return fail(`directory device: ${describeOp(dir)}`);
  if (!mac) return pass(`device/ lists ${dir.entries.join(', ')}`);
  const read = report.ops.find((o) => o.op === 'read' && o.path === 'device/vif/0/mac');
  if (!read?.ok) return fail(`read device/vif/0/mac: ${describeOp(read)}`);
  if (valueOf(read).toLowerCase() !== mac.toLowerCase()) return fail(`device/vif/0/mac reads ${JSON.stringify(valueOf(read))}; the provider gave ${mac}`);
  return pass(`device/ lists ${dir.entries.join(', ')}; device/vif/0/mac = ${valueOf(read)}`);
}

/** A write, then a read of the same key, gives the value back. */
export function judgeWrite(report: XenbusReport, key: string, value: string): Verdict {
  if (!report.device.open.ok) return fail(`${report.device.path} did not open: ${report.device.open.errno}`);
  const write = report.ops.find((o) => o.op === 'write' && o.path === key);
  if (!write?.ok || write.reply?.typeName !== 'WRITE') return fail(`write ${key}: ${describeOp(write)}`);
  const read = report.ops.find((o) => o.op === 'read' && o.path === key);
  if (!read?.ok) return fail(`reading ${key} back: ${describeOp(read)}`);
  if (valueOf(read) !== value) return fail(`${key} reads back ${JSON.stringify(valueOf(read))}, wrote ${JSON.stringify(value)}`);
  return pass(`wrote ${key} = ${JSON.stringify(value)} and read it back`);
}

/** xenstored's refusal comes back in band: write() succeeds and the reply is XS_ERROR with the
 *  errno's name ("ENOENT" for a missing key), not a failing system call (§8.1). */
export function judgeInBandError(report: XenbusReport, missingKey: string): Verdict {
  if (!report.device.open.ok) return fail(`${report.device.path} did not open: ${report.device.open.errno}`);
  const op = report.ops.find((o) => o.path === missingKey);
  if (!op) return fail(`the read of ${missingKey} was not made`);
  if (op.stage) return fail(`reading a missing key failed at ${op.stage}() (${op.errno ?? op.detail}); expected an in-band XS_ERROR reply`);
  if (op.reply?.type !== 16) return fail(`reading a missing key gave ${describeOp(op)}; expected XS_ERROR`);
  if (op.error !== 'ENOENT') return fail(`XS_ERROR payload ${JSON.stringify(op.error)}; expected "ENOENT"`);
  return pass('write() succeeded; the reply is XS_ERROR "ENOENT"');
}

export function judgeHostSees(key: string, wrote: string, hostRead: string | null): Verdict {
  if (hostRead === null) return fail(`dom0 does not see ${key}`);
  if (hostRead !== wrote) return fail(`dom0 reads ${key} as ${JSON.stringify(hostRead)}; the guest wrote ${JSON.stringify(wrote)}`);
  return pass(`dom0 reads ${key} = ${JSON.stringify(wrote)}`);
}
