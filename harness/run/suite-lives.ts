// Which checks share a guest. With snapshots per suite, each suite gets a guest life of its own
// (the first the cold-booted guest, the rest restored from the state saved at readiness), so a
// suite that writes (a key/value store, a file, a shutdown request) leaves nothing for the next.
// With snapshots per cell, all suites share one guest, as before.
import { unmetRequirement, type Check } from '../core/checks.ts';
import type { Offers } from '../core/offers.ts';
import type { HypervisorConfig } from '../config/schema.ts';
import type { GuestOs } from '../core/checks.ts';
import type { Shell } from '../core/shell.ts';
import { adapterFor } from '../guests/registry.ts';
import { isProbeGuest } from '../../suites/probe/guest-ops.ts';

export interface GuestLife {
  suite: string;
  checks: Check[];
  /** A check of this life must see a guest that booted for it, not one restored. */
  coldBoot: boolean;
}

export type SnapshotMode = 'per-suite' | 'per-cell';

/** The config's choice, per suite by default; a provider that cannot restore a guest
 *  (no Machine.restoreFresh) then runs the suites one after another in the same guest. */
export function snapshotMode(hypervisor: HypervisorConfig): SnapshotMode {
  return hypervisor.snapshots ?? 'per-suite';
}

export function guestLives(checks: Check[], mode: SnapshotMode): GuestLife[] {
  if (mode === 'per-cell') return checks.length ? [{ suite: '*', checks, coldBoot: checks.some((c) => c.requires.coldBoot === true) }] : [];
  const bySuite = new Map<string, Check[]>();
  for (const c of checks) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  return [...bySuite].map(([suite, list]) => ({ suite, checks: list, coldBoot: list.some((c) => c.requires.coldBoot === true) }));
}

/** What every life of a BSD guest would otherwise build again after each restore: the probe
 *  (cc under TCG takes seconds). Built once, before the state is saved. */
export async function prepareBeforeSave(os: GuestOs, sh: Shell): Promise<void> {
  const guest = await adapterFor(os);
  if (isProbeGuest(guest)) await guest.probe(sh);
}

/** How many lives have a check that may run, judged by what is known before boot (a check that
 *  needs virtio cannot run on Xen, say); unknown fields rule nothing out. Fewer than two: no
 *  later suite will want a fresh guest, so nothing is saved. */
export function livesThatMayRun(lives: GuestLife[], os: GuestOs, known: Partial<Offers>): number {
  return lives.filter((l) => l.checks.some((c) => unmetRequirement(c, os, known, undefined) === null)).length;
}
