// Verdict logic of virtio(4), as pure functions of what the guest showed.
import type { Verdict } from '../../harness/core/checks.ts';
import type { VirtioClass } from '../../harness/core/offers.ts';
import type { VirtioDevice } from '../../harness/core/guest-adapter.ts';

export const CLASS_IDS: Record<VirtioClass, number> = { net: 1, blk: 2, console: 3, rng: 4, balloon: 5, scsi: 8 };

/** An offered class must show up as a virtio device with the OS's driver attached. */
export function judgeAttached(cls: VirtioClass, devices: VirtioDevice[], expectedDriver: string): Verdict & { device?: VirtioDevice } {
  const id = CLASS_IDS[cls];
  const matching = devices.filter((d) => d.deviceId === id);
  if (matching.length === 0)
    return { state: 'fail', message: `the hypervisor offers virtio ${cls}, but the guest sees no virtio device with id ${id} (it sees: ${list(devices)})` };
  const attached = matching.find((d) => d.driver === expectedDriver);
  if (attached) return { state: 'pass', message: `${attached.name} (virtio id ${id}) attached to ${expectedDriver}`, device: attached };
  const other = matching.find((d) => d.driver !== null);
  if (other) return { state: 'fail', message: `${other.name} (virtio id ${id}) is driven by ${other.driver}, not ${expectedDriver}` };
  return { state: 'fail', message: `${matching[0].name} (virtio id ${id}, ${cls}) is present but no driver attached to it` };
}

/** Nothing the hypervisor withheld may appear: the driver represents what the hypervisor offers. */
export function judgeOnlyOffered(offered: VirtioClass[], devices: VirtioDevice[]): Verdict {
  const unexpected = devices.filter((d) => d.class === 'other' || !offered.includes(d.class));
  if (unexpected.length > 0)
    return { state: 'fail', message: `the guest shows virtio devices the hypervisor did not offer: ${list(unexpected)} (offered: ${offered.join(', ') || 'none'})` };
  return { state: 'pass', message: `the guest shows exactly virtio devices of the offered classes (${[...new Set(devices.map((d) => d.class))].join(', ') || 'none'}; offered: ${offered.join(', ') || 'none'})` };
}

function list(devices: VirtioDevice[]): string {
  return devices.map((d) => `${d.name}=id ${d.deviceId}${d.driver ? `/${d.driver}` : '/no driver'}`).join(', ') || 'none';
}
