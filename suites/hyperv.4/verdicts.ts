// hyperv(4)'s verdicts: the attach lines, and the KVP pools as hostctl sees them
// (guest-facts.md §4: hypervic.c hv_kvop, kvp_pool_auto[]).
import type { Verdict } from '../../harness/core/checks.ts';
import { findDevice, type AttachTree } from '../../harness/bootlog/index.ts';
import type { CommandOutput } from '../probe/gather.ts';
import { errLine, expectError } from '../hostctl.8/verdicts.ts';
import { fail, pass } from '../probe/check-kit.ts';

/** kvp_pool_auto[]: the keys the guest puts in the Auto pool at attach (§4.4). */
export const AUTO_KEYS = [
  'FullyQualifiedDomainName',
  'IntegrationServicesVersion',
  'NetworkAddressIPv4',
  'NetworkAddressIPv6',
  'OSBuildNumber',
  'OSName',
  'OSMajorVersion',
  'OSMinorVersion',
  'OSVersion',
  'ProcessorArchitecture',
] as const;

export const POOLS = ['Auto', 'Guest', 'External', 'Guest/Parameters'] as const;

const run = (o: CommandOutput) => `\`${o.command}\` exited ${o.code}${o.stderr ? ` (${o.stderr.trim()})` : ''}`;

/** hyperv0 at pvbus0: "protocol M.m, features 0x..", then its IC services on their own line,
 *  which must include the KVP exchange the pools live on (§4.5). */
export function judgeNexusAttach(tree: AttachTree): Verdict {
  const hv = findDevice(tree, 'hyperv0');
  if (!hv) return fail('no hyperv0 in the boot messages');
  if (hv.parent !== 'pvbus0') return fail(`hyperv0 attached at ${hv.parent ?? '?'}, not pvbus0`);
  if (!/^protocol \d+\.\d+, features 0x[0-9a-f]+$/i.test(hv.description ?? ''))
    return fail(`hyperv0's line reads "${hv.description ?? ''}", not "protocol M.m, features 0x..."`);
  const services = hv.messages.find((m) => /\b(heartbeat|kvp|shutdown|timesync)\b/i.test(m));
  if (!services) return fail(`hyperv0 printed no integration-services line (${hv.messages.join(' | ') || 'no messages'})`);
  if (!/\bkvp\b/i.test(services)) return fail(`hyperv0's services "${services}" lack kvp: the key/value pools cannot work`);
  return pass(`hyperv0 at pvbus0: ${hv.description}; services: ${services}`);
}

/** A VMBus child (hvn, hvs) attached at hyperv0; hvn's address is the MAC the host gave. */
export function judgeVmbusChild(tree: AttachTree, driver: 'hvn' | 'hvs', mac: string | null): Verdict {
  const children = tree.devices.filter((d) => d.driver === driver);
  if (children.length === 0) return fail(`no ${driver} device attached`);
  const wrong = children.filter((d) => d.parent !== 'hyperv0');
  if (wrong.length) return fail(`${wrong.map((d) => `${d.name} at ${d.parent}`).join(', ')}: expected at hyperv0`);
  const first = children[0];
  if (mac && driver === 'hvn') {
    if (!first.address) return fail(`${first.name} printed no address ("${first.description ?? ''}")`);
    if (first.address.toLowerCase() !== mac.toLowerCase()) return fail(`${first.name} has address ${first.address}; the host gave ${mac}`);
  }
  return pass(children.map((d) => `${d.name} at hyperv0${d.locator ? ` ${d.locator}` : ''}${d.description ? `: ${d.description}` : ''}`).join('; '));
}

/** "Pool/" lists the pool's key names, one per line; Auto holds kvp_pool_auto[]'s keys. */
export function judgePoolListing(listings: Array<{ pool: string; out: CommandOutput }>): Verdict {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const { pool, out } of listings) {
    if (out.code !== 0) {
      problems.push(`listing ${pool}/: ${run(out)}`);
      continue;
    }
    const keys = out.stdout.split('\n').filter(Boolean);
    if (pool === 'Auto') {
      const missing = AUTO_KEYS.filter((k) => !keys.includes(k));
      if (missing.length) problems.push(`Auto/ lacks ${missing.join(', ')} (lists ${keys.join(', ') || 'nothing'})`);
    }
    notes.push(`${pool}/: ${keys.length} key(s)`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(notes.join(', '));
}

/** A write that must succeed and read back; Hyper-V's write echoes the value (§2.4). */
export function judgeWriteReadBack(write: CommandOutput, read: CommandOutput, value: string): Verdict {
  if (write.code !== 0) return fail(`the write: ${run(write)}`);
  if (read.code !== 0) return fail(`reading back: ${run(read)}`);
  if (read.stdout !== `${value}\n`) return fail(`read back ${JSON.stringify(read.stdout.trim())}, wrote ${JSON.stringify(value)}`);
  return pass(`wrote and read back ${JSON.stringify(value)}`);
}

/** A write the pool must refuse with this errno. */
export function judgeRefused(cases: Array<{ what: string; out: CommandOutput; errno: string }>): Verdict {
  const problems = cases.map((c) => {
    const bad = expectError(c.out, errLine('ioctl', c.errno));
    return bad ? `${c.what}: ${bad}` : null;
  }).filter((p): p is string => p !== null);
  if (problems.length) return fail(problems.join('; '));
  return pass(cases.map((c) => `${c.what}: ${c.errno}`).join('; '));
}

export interface GuestFacts {
  /** uname -s, -r, -m and sysctl kern.osversion in the guest. */
  ostype: string;
  osrelease: string;
  machine: string;
  osversion: string;
}

/** What kvp_pool_auto[] puts in each Auto key (§4.4); FullyQualifiedDomainName is left out: it is
 *  the hostname at attach time and hyperv.4/auto-update rewrites it. */
export function expectedAutoValues(f: GuestFacts): Record<string, string> {
  return {
    IntegrationServicesVersion: '6.6.6',
    NetworkAddressIPv4: '127.0.0.1',
    NetworkAddressIPv6: '::1',
    OSBuildNumber: f.osversion,
    OSName: f.ostype,
    OSMajorVersion: '6',
    OSMinorVersion: f.osrelease.slice(2),
    OSVersion: f.osrelease,
    ProcessorArchitecture: f.machine === 'amd64' ? '9' : f.machine === 'i386' ? '0' : '?',
  };
}

export function judgeAutoValues(expected: Record<string, string>, read: Record<string, CommandOutput>): Verdict {
  const problems: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const out = read[key];
    if (!out) problems.push(`${key} was not read`);
    else if (out.code !== 0) problems.push(`${key}: ${run(out)}`);
    else if (out.stdout !== `${want}\n`) problems.push(`${key} is ${JSON.stringify(out.stdout.trim())}, hypervic.c fills in ${JSON.stringify(want)}`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(
    `${Object.keys(expected).length} Auto keys hold what hypervic.c fills in (OSMajorVersion is hard-coded "6" whatever the release)`,
  );
}

/** The host half: what the host read, against what the guest wrote. */
export function judgeHostSees(key: string, wrote: string, hostRead: string | null): Verdict {
  if (hostRead === null) return fail(`the host does not see ${key}`);
  if (hostRead !== wrote) return fail(`the host reads ${key} as ${JSON.stringify(hostRead)}; the guest wrote ${JSON.stringify(wrote)}`);
  return pass(`the host reads ${key} = ${JSON.stringify(wrote)}`);
}
