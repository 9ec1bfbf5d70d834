// Linux shows virtio devices in sysfs; most of its virtio drivers print nothing at the default
// log level (lab.md §1), so sysfs, not dmesg, is the source of truth here.
import type { Shell } from '../../core/shell.ts';
import type { GuestAdapter } from '../../core/guest-adapter.ts';
import type { VirtioClass } from '../../core/offers.ts';
import { linuxFactsOnce } from './facts.ts';

const DRIVERS: Record<VirtioClass, string> = {
  net: 'virtio_net',
  blk: 'virtio_blk',
  console: 'virtio_console',
  rng: 'virtio_rng',
  balloon: 'virtio_balloon',
  scsi: 'virtio_scsi',
};

export const linuxAdapter: GuestAdapter = {
  os: 'linux',
  // Both from one command per guest life (facts.ts): sysfs read without forks, then dmesg.
  async virtioDevices(sh: Shell) {
    return (await linuxFactsOnce(sh)).virtio.devices;
  },
  async bootMessages(sh: Shell) {
    return (await linuxFactsOnce(sh)).bootMessages;
  },
  async powerOff(sh: Shell) {
    // The reference guest's /init is a script, not an init that handles the ACPI power
    // button; busybox poweroff -f powers off at once (QEMU runs with -no-reboot).
    await sh.exec('sync; (sleep 0.2; poweroff -f) >/dev/null 2>&1 &', { timeoutMs: 5_000 }).catch(() => {});
  },
  driverFor(cls: VirtioClass) {
    return DRIVERS[cls];
  },
};
