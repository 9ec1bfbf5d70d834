// Questions later code asks of an attach tree: which devices hang below a paravirtual bus, below
// a virtio transport, and where a named device is.
import type { AttachTree, Device } from './types.ts';

/** Drivers of the buses paravirtual devices attach to: OpenBSD pvbus/xen/hyperv, NetBSD
 *  hypervisor/xenbus/vmbus, virtio on every OS (Linux's bus names "virtio" and "xen" included). */
export const PV_BUS_DRIVERS: ReadonlySet<string> = new Set(['pvbus', 'virtio', 'xen', 'xenbus', 'hyperv', 'vmbus', 'hypervisor']);

/** The last device attached under this name (a re-attach replaces an earlier one), or undefined. */
export function findDevice(tree: AttachTree, name: string): Device | undefined {
  for (let i = tree.devices.length - 1; i >= 0; i--) if (tree.devices[i].name === name) return tree.devices[i];
  return undefined;
}

/** The drivers above a device, nearest first. A parent that never attached itself (Linux's bus
 *  names, "root") counts with its name stripped of any unit number. */
export function ancestorDrivers(tree: AttachTree, device: Device): string[] {
  const drivers: string[] = [];
  const seen = new Set<string>([device.name]);
  let parent = device.parent;
  while (parent && !seen.has(parent)) {
    seen.add(parent);
    const p = findDevice(tree, parent);
    drivers.push(p ? p.driver : parent.replace(/\d+$/, ''));
    parent = p ? p.parent : null;
  }
  return drivers;
}

/** Devices whose parent chain reaches a paravirtual bus, in attach order (e.g. vio0, vioblk0 and
 *  its scsibus/sd below it, xen0 and xnf0, vmt0 at pvbus0). The bus devices themselves count only
 *  when they sit below another one (xen0 at pvbus0 does; virtio0 at pci0 does not). */
export function pvChildren(tree: AttachTree): Device[] {
  return tree.devices.filter((d) => ancestorDrivers(tree, d).some((driver) => PV_BUS_DRIVERS.has(driver)));
}

/** Devices whose parent chain reaches a virtio transport (vio0 at virtio0, sd0 below vioblk0). */
export function virtioChildren(tree: AttachTree): Device[] {
  return tree.devices.filter((d) => ancestorDrivers(tree, d).includes('virtio'));
}
