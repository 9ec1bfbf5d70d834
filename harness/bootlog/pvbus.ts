// OpenBSD pvbus(4)'s attach line lists every hypervisor signature it matched, in its table's order,
// comma-separated, Hyper-V and Xen with "major.minor" (guest-facts.md 1.2, pvbus.c pvbus_attach):
//   pvbus0 at mainbus0: KVM, Hyper-V 10.0
import type { Hypervisor } from './types.ts';

const ENTRY = /^(\S+)(?: (\d+\.\d+))?$/;

/** The hypervisors in pvbus0's description ("KVM, Hyper-V 10.0"); entries that do not read as
 *  "<name>[ <major.minor>]" are kept whole with no version. */
export function parsePvbusHypervisors(description: string | null): Hypervisor[] {
  if (!description) return [];
  return description
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((raw) => {
      const m = ENTRY.exec(raw);
      return m ? { name: m[1], version: m[2] ?? null, raw } : { name: raw, version: null, raw };
    });
}
