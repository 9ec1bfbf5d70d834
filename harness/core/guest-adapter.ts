// A guest adapter hides one OS's way of showing its drivers (cross-platform-actions' split of
// operating system from hypervisor): checks ask the adapter, never the OS directly.
import type { Shell } from './shell.ts';
import type { VirtioClass } from './offers.ts';

export interface VirtioDevice {
  /** The class this device belongs to, from its virtio device id. */
  class: VirtioClass | 'other';
  /** virtio device id (1 net, 2 blk, 3 console, 4 rng, 5 balloon, 8 scsi...). */
  deviceId: number;
  /** The guest's name for the transport device (Linux `virtio3`, OpenBSD `virtio3`). */
  name: string;
  /** The driver bound to it, or null when none attached. */
  driver: string | null;
  /** Free text the guest printed for it, for messages. */
  detail: string;
}

export interface GuestAdapter {
  /** The registered guest OS it serves (GuestOs in checks.ts). */
  os: string;
  /** Every virtio device the guest sees, attached or not. */
  virtioDevices(sh: Shell): Promise<VirtioDevice[]>;
  /** The kernel's boot messages (for artifacts and the attach-line parser). */
  bootMessages(sh: Shell): Promise<string>;
  /** Asks the guest to power itself off (so QEMU exits at once rather than at the ACPI
   *  deadline). Best effort: the provider still enforces its own deadline. */
  powerOff?(sh: Shell): Promise<void>;
  /** The driver name this OS uses for a virtio class (Linux virtio_rng, OpenBSD viornd...). */
  driverFor(cls: VirtioClass): string;
}

/** virtio device ids (virtio 1.0 spec, section 5) mapped to the classes virtio(4) lists. */
export const VIRTIO_DEVICE_IDS: Record<number, VirtioClass> = {
  1: 'net',
  2: 'blk',
  3: 'console',
  4: 'rng',
  5: 'balloon',
  8: 'scsi',
};
