// What OpenBSD's sources say about pvbus(4), as data the verdicts compare against
// (guest-facts.md §1.2-1.5, §2, §3).
import type { HypervisorInterface, KvStore, Offers } from '../../harness/core/offers.ts';

/** pvbus.c pvbus_types[]: the order pvbus0's attach line and the minors follow (§1.2, §1.3). */
export const PVBUS_TABLE: readonly HypervisorInterface[] = ['KVM', 'Hyper-V', 'VMware', 'Xen', 'bhyve', 'OpenBSD'];

/** Interfaces printed with " major.minor" after the name (§1.2). */
export const VERSIONED: ReadonlySet<string> = new Set(['Hyper-V', 'Xen']);

/** Interfaces with a key/value backend (`hv_kvop`, §1.5); the others answer ENXIO. */
export const KV_BACKENDS: ReadonlySet<string> = new Set(['Hyper-V', 'VMware', 'Xen']);

/** The interface each store is reached through. A Hyper-V signature on Xen (viridian) has no KVP
 *  channel behind it, so "the first minor with a backend" is not enough. */
export const STORE_INTERFACE: Readonly<Record<KvStore, HypervisorInterface>> = {
  xenstore: 'Xen',
  'hyperv-kvp': 'Hyper-V',
  'vmware-guestinfo': 'VMware',
};

/** The hypervisors pvbus.4's "Supported hypervisors" list names (bhyve is detected but not listed). */
export const MANUAL_LISTS: ReadonlySet<string> = new Set(['KVM', 'Hyper-V', 'OpenBSD', 'VMware', 'Xen']);

export function inTableOrder(interfaces: readonly string[]): string[] {
  const rank = (name: string) => {
    const i = PVBUS_TABLE.indexOf(name as HypervisorInterface);
    return i < 0 ? PVBUS_TABLE.length : i;
  };
  return [...new Set(interfaces)].sort((a, b) => rank(a) - rank(b));
}

/** OpenBSD libc's strerror texts for the errnos hostctl reports (err(3) prints them). */
export const STRERROR: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  ENXIO: 'Device not configured',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EEXIST: 'File exists',
  ENODEV: 'Operation not supported by device',
  EINVAL: 'Invalid argument',
  ERANGE: 'Result too large',
  ENAMETOOLONG: 'File name too long',
  EOPNOTSUPP: 'Operation not supported',
  EMSGSIZE: 'Message too long',
};

/** A key every store of this kind holds, for the read checks: the first NIC's MAC on Xen (§5.1),
 *  the OS name the guest itself put in Hyper-V's Auto pool (§4.4). */
export function readableKey(store: KvStore, offers: Offers): string | null {
  switch (store) {
    case 'xenstore':
      return offers.nics.length > 0 ? 'device/vif/0/mac' : 'device';
    case 'hyperv-kvp':
      return 'Auto/OSName';
    case 'vmware-guestinfo':
      return null; // guestinfo keys exist only when the host set them
  }
}

/** A fresh key the guest may create: Xen's data/ subtree (§5.1), Hyper-V's Guest pool (§4.3). */
export function writableKey(store: KvStore, name: string): string | null {
  switch (store) {
    case 'xenstore':
      return `data/${name}`;
    case 'hyperv-kvp':
      return `Guest/${name}`;
    case 'vmware-guestinfo':
      return `guestinfo.${name}`;
  }
}

/** The /dev/pvbusN that reaches the offered store: its interface's place in table order among the
 *  offered ones (§1.3), e.g. 1 for Xen when viridian puts Hyper-V first. Null without a store. */
export function kvMinor(offers: Offers): number | null {
  if (!offers.kvStore) return null;
  const i = inTableOrder(offers.interfaces).indexOf(STORE_INTERFACE[offers.kvStore]);
  return i < 0 ? null : i;
}

export function kvDevicePath(offers: Offers): string | null {
  const m = kvMinor(offers);
  return m === null ? null : `/dev/pvbus${m}`;
}
