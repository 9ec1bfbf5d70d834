// xen(4)'s verdicts: the attach lines across releases, and XenStore as hostctl reaches it
// (guest-facts.md §5: xen.c, xenstore.c xs_kvop/xs_cmd, if_xnf.c, xbf.c).
import type { Verdict } from '../../harness/core/checks.ts';
import { findDevice, type AttachTree } from '../../harness/bootlog/index.ts';
import type { CommandOutput } from '../probe/gather.ts';
import { errLine, expectError } from '../hostctl.8/verdicts.ts';
import { fail, pass, skip } from '../probe/check-kit.ts';

const run = (o: CommandOutput) => `\`${o.command.length > 100 ? `${o.command.slice(0, 97)}...` : o.command}\` exited ${o.code}${o.stderr ? ` (${o.stderr.trim()})` : ''}`;

/** "xen0 at pvbus0: features %#x, %d grant table frames, event channel %u" (§5.3). */
export function judgeXenAttach(tree: AttachTree): Verdict {
  const xen = findDevice(tree, 'xen0');
  if (!xen) return fail('no xen0 in the boot messages');
  if (xen.parent !== 'pvbus0') return fail(`xen0 attached at ${xen.parent ?? '?'}, not pvbus0`);
  const f = tree.xen;
  const missing = [
    f?.features ? null : 'features',
    f?.grantFrames ? null : 'grant table frames',
    f?.eventChannel !== null && f?.eventChannel !== undefined ? null : 'event channel',
  ].filter(Boolean);
  if (missing.length) return fail(`xen0's line lacks ${missing.join(', ')}: "${xen.description ?? ''}"`);
  return pass(`xen0 at pvbus0: features ${f!.features}, ${f!.grantFrames} grant table frames, event channel ${f!.eventChannel}`);
}

/** xnf at xen0 with the MAC the provider gave. Formats: "backend %d channel %u: address %s"
 *  (current), "backend 0 chan 69: address" and ": event channel 5, address" (older releases). */
export function judgeXnfAttach(tree: AttachTree, mac: string | null): Verdict {
  if (!mac) return skip('the provider gave the guest no NIC');
  const xnf = tree.devices.filter((d) => d.driver === 'xnf');
  if (xnf.length === 0) return fail('no xnf device attached (the provider gave a NIC)');
  const first = xnf[0];
  if (first.parent !== 'xen0') return fail(`${first.name} attached at ${first.parent ?? '?'}, not xen0`);
  if (!first.address) return fail(`${first.name} printed no address: "${first.description ?? ''}"`);
  if (first.address.toLowerCase() !== mac.toLowerCase()) return fail(`${first.name} has address ${first.address}; the provider gave ${mac}`);
  return pass(`${first.name} at xen0${first.locator ? ` ${first.locator}` : ''}: ${first.description}`);
}

/** xbf at xen0 for every vbd XenStore lists: "backend %d channel %u: disk|cdrom" (§5.3). */
export function judgeXbfAttach(tree: AttachTree, deviceListing: CommandOutput): Verdict {
  if (deviceListing.code !== 0) return fail(`listing XenStore's device/ failed: ${run(deviceListing)}`);
  const types = deviceListing.stdout.split('\n').filter(Boolean);
  if (!types.includes('vbd')) return skip(`XenStore's device/ holds no vbd (${types.join(', ') || 'nothing'}), so no xbf is expected`);
  const xbf = tree.devices.filter((d) => d.driver === 'xbf');
  if (xbf.length === 0) return fail('XenStore lists a vbd, but no xbf attached');
  const wrong = xbf.filter((d) => d.parent !== 'xen0' || !/^(disk|cdrom)$/.test(d.description ?? ''));
  if (wrong.length) return fail(wrong.map((d) => `${d.name} at ${d.parent}: "${d.description ?? ''}"`).join('; ') + '; expected "at xen0 ...: disk" or ": cdrom"');
  return pass(xbf.map((d) => `${d.name} at xen0${d.locator ? ` ${d.locator}` : ''}: ${d.description}`).join('; '));
}

/** hostctl device/vif/0/mac prints the MAC the provider set. */
export function judgeVifMac(out: CommandOutput, mac: string | null): Verdict {
  if (!mac) return skip('the provider gave the guest no NIC');
  if (out.code !== 0) return fail(run(out));
  const got = out.stdout.trim();
  if (got.toLowerCase() !== mac.toLowerCase()) return fail(`device/vif/0/mac reads ${JSON.stringify(got)}; the provider gave ${mac}`);
  return pass(`device/vif/0/mac = ${got}`);
}

/** A directory key lists its children (hostctl.8's "hostctl device" example; xs_kvop retries an
 *  empty XS_READ as XS_LIST, §5.1). */
export function judgeDirectory(out: CommandOutput, mustInclude: string[]): Verdict {
  if (out.code !== 0) return fail(run(out));
  const entries = out.stdout.split('\n').filter(Boolean);
  const missing = mustInclude.filter((e) => !entries.includes(e));
  if (missing.length) return fail(`device/ lists ${entries.join(', ') || 'nothing'}; missing ${missing.join(', ')}`);
  return pass(`device/ lists ${entries.join(', ')}`);
}

/** The rc.local block of xen(4): key, value pairs as the page writes them. */
export function xenServerProperties(ostype: string, osrelease: string): Array<[string, string]> {
  return [
    ['attr/PVAddons/MajorVersion', '6'],
    ['attr/PVAddons/MinorVersion', '2'],
    ['attr/PVAddons/MicroVersion', '0'],
    ['attr/PVAddons/BuildVersion', '76888'],
    ['attr/PVAddons/Installed', '1'],
    ['data/os_name', `${ostype} ${osrelease}`],
    ['data/os_uname', osrelease],
    ['data/os_distro', ostype],
    ['attr/vif/0/ipv4/0', '192.0.2.1'],
    ['attr/vif/0/ipv6/0', '2001:db8::1'],
    ['data/updated', '1'],
  ];
}

/** Every write exits 0 and prints nothing (xs_kvop clears the value, §2.4); each reads back. */
export function judgeProperties(runs: Array<{ key: string; value: string; write: CommandOutput; read: CommandOutput }>): Verdict {
  const problems: string[] = [];
  for (const r of runs) {
    if (r.write.code !== 0) problems.push(`${r.key}: ${run(r.write)}`);
    else if (r.write.stdout !== '') problems.push(`${r.key}: the write printed ${JSON.stringify(r.write.stdout)}`);
    else if (r.read.code !== 0 || r.read.stdout !== `${r.value}\n`) problems.push(`${r.key} reads back ${JSON.stringify(r.read.stdout.trim())} (${run(r.read)}), wrote ${JSON.stringify(r.value)}`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(`${runs.length} properties written and read back`);
}

/** XS_MAX_PAYLOAD: a request over 1024 bytes is refused with EIO and a console message
 *  "xen0: message type 11 with payload above the limit" (§5.1, xenstore.c xs_cmd). */
export function judgePayloadLimit(write: CommandOutput, before: string, after: string): Verdict {
  const bad = expectError(write, errLine('ioctl', 'EIO'));
  if (bad) return fail(bad);
  const line = /xen0: message type 11 with payload above the limit/;
  const countOf = (text: string) => text.split('\n').filter((l) => line.test(l)).length;
  if (countOf(after) <= countOf(before)) return fail('EIO as expected, but the kernel logged no "xen0: message type 11 with payload above the limit"');
  return pass('"hostctl: ioctl: Input/output error" and "xen0: message type 11 with payload above the limit" in dmesg');
}

/** The host half: every property as dom0 reads it. */
export function judgeHostReads(expected: Array<[string, string]>, hostRead: Record<string, string | null>): Verdict {
  const problems = expected
    .filter(([key, value]) => hostRead[key] !== value)
    .map(([key, value]) => `${key}: host reads ${JSON.stringify(hostRead[key] ?? null)}, guest wrote ${JSON.stringify(value)}`);
  if (problems.length) return fail(problems.join('; '));
  return pass(`dom0 reads all ${expected.length} properties as written`);
}
