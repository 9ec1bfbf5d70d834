// A check: one manual-page promise, its requirements, and its assertion.
import type { Citation, State } from './results.ts';
import type { HypervisorFamily, HypervisorInterface, KvStore, Offers, VirtioClass, HostKv, HostControl } from './offers.ts';
import type { Shell } from './shell.ts';
import type { GuestAdapter } from './guest-adapter.ts';

/** A registered guest OS ('linux', 'openbsd'...): the list is guests/registry.ts's. */
export type GuestOs = string;

export interface Requirements {
  /** virtio classes the hypervisor must offer. */
  virtio?: VirtioClass[];
  /** Hypervisor interfaces the guest must be able to detect. */
  interfaces?: HypervisorInterface[];
  kvStore?: KvStore;
  families?: HypervisorFamily[];
  /** Needs the host half (dom0's XenStore, Hyper-V's KVP exchange). */
  hostKv?: boolean;
  /** Must start from a cold boot, not a guest restored from a snapshot (with snapshots per
   *  suite, its suite's guest is reset and boots again). */
  coldBoot?: boolean;
}

export interface Verdict {
  state: Exclude<State, 'error'>;
  message: string;
}

export interface CheckContext {
  cell: string;
  sh: Shell;
  guest: GuestAdapter;
  offers: Offers;
  hostKv?: HostKv;
  /** The host's shutdown request (Machine.hostControl), where the provider offers one. */
  hostControl?: HostControl;
  /** Saves text as an artifact of this cell and returns its path relative to the run. */
  saveArtifact(kind: string, name: string, text: string): Promise<string>;
}

export interface Check {
  /** `<suite>/<name>` */
  id: string;
  suite: string;
  title: string;
  citation: Citation;
  requires: Requirements;
  /** Guest OSes the check applies to; others are skip. */
  os: GuestOs[];
  /** The result the check expects on each kind of hypervisor, for readers (`pvconform checks`);
   *  the verdict itself is always computed. */
  expected?: Partial<Record<string, string>>;
  /** Throws InfraError when the harness cannot tell; returns a verdict otherwise. */
  run(ctx: CheckContext): Promise<Verdict>;
}

/** Why a check does not apply to this cell, or null when it does. Before boot only part of the
 *  offers is known (Provider.offersBeforeBoot): a field left out, or hasHostKv undefined, rules
 *  nothing out. */
export function unmetRequirement(check: Check, os: GuestOs, offers: Partial<Offers>, hasHostKv: boolean | undefined): string | null {
  if (!check.os.includes(os)) return `does not apply to ${os} guests (applies to ${check.os.join(', ')})`;
  const r = check.requires;
  if (r.families && offers.family && !r.families.includes(offers.family))
    return `needs a ${r.families.join(' or ')} hypervisor; this cell runs on ${offers.family}`;
  for (const v of r.virtio ?? [])
    if (offers.virtio && !offers.virtio.includes(v)) return `virtio ${v} not offered by this hypervisor config`;
  for (const i of r.interfaces ?? [])
    if (offers.interfaces && !offers.interfaces.includes(i))
      return `the ${i} interface is not offered here (guest can detect: ${offers.interfaces.join(', ') || 'none'})`;
  if (r.kvStore && offers.kvStore !== undefined && offers.kvStore !== r.kvStore) return `needs the ${r.kvStore} key/value store; this cell has ${offers.kvStore ?? 'none'}`;
  if (r.hostKv && hasHostKv === false) return 'the provider has no host-side access to the key/value store here';
  return null;
}
