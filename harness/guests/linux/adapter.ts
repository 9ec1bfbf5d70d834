// Linux shows virtio devices in sysfs; most of its virtio drivers print nothing at the default
// log level (lab.md §1), so sysfs, not dmesg, is the source of truth here.
import type { Shell } from '../../core/shell.ts';
import type { GuestAdapter, VirtioDevice } from '../../core/guest-adapter.ts';
import { VIRTIO_DEVICE_IDS } from '../../core/guest-adapter.ts';
import type { VirtioClass } from '../../core/offers.ts';
import { InfraError } from '../../core/errors.ts';

const DRIVERS: Record<VirtioClass, string> = {
  net: 'virtio_net',
  blk: 'virtio_blk',
  console: 'virtio_console',
  rng: 'virtio_rng',
  balloon: 'virtio_balloon',
  scsi: 'virtio_scsi',
};

// One line per device: "<name> <device id> <driver or ->".
const LIST_VIRTIO = `for d in /sys/bus/virtio/devices/*; do [ -e "$d" ] || continue; drv=-; [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")"); echo "$(basename "$d") $(cat "$d/device") $drv"; done`;

export function parseVirtioListing(text: string): VirtioDevice[] {
  const out: VirtioDevice[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(0x[0-9a-fA-F]+|\d+)\s+(\S+)$/.exec(line.trim());
    if (!m) continue;
    const deviceId = Number(m[2]);
    out.push({ name: m[1], deviceId, class: VIRTIO_DEVICE_IDS[deviceId] ?? 'other', driver: m[3] === '-' ? null : m[3], detail: `${m[1]} (virtio device id ${deviceId})` });
  }
  return out;
}

export const linuxAdapter: GuestAdapter = {
  os: 'linux',
  async virtioDevices(sh: Shell) {
    const r = await sh.exec(LIST_VIRTIO);
    if (r.code !== 0) throw new InfraError(`listing /sys/bus/virtio/devices failed (${r.code}): ${r.stderr.trim()}`);
    return parseVirtioListing(r.stdout);
  },
  async bootMessages(sh: Shell) {
    const r = await sh.exec('dmesg');
    if (r.code !== 0) throw new InfraError(`dmesg failed (${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
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
