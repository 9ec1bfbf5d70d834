// virtio(4): the device classes attach when offered, and nothing the hypervisor withheld shows.
import type { Check } from '../../harness/core/checks.ts';
import type { Citation } from '../../harness/core/results.ts';
import type { VirtioClass } from '../../harness/core/offers.ts';
import { judgeAttached, judgeOnlyOffered } from './judge.ts';
import { linuxEvidence } from './linux-evidence.ts';
import { linuxGuestFacts, virtioDevicesOnce } from '../probe/gather.ts';

const FILE = 'man/virtio.4.netbsd.txt';
const cite = (sentence: string): Citation => ({ kind: 'man', page: 'virtio.4', file: FILE, sentence });

const CLASSES: Array<{ cls: VirtioClass; name: string; netbsdDriver: string; sentence: string }> = [
  { cls: 'blk', name: 'disk', netbsdDriver: 'ld', sentence: 'A Disk device.' },
  { cls: 'console', name: 'console', netbsdDriver: 'viocon', sentence: 'Console device.' },
  { cls: 'net', name: 'ethernet', netbsdDriver: 'vioif', sentence: 'An Ethernet device.' },
  { cls: 'balloon', name: 'memory-balloon', netbsdDriver: 'viomb', sentence: 'A pseudo-device to release memory back to the hypervisor.' },
  { cls: 'rng', name: 'entropy', netbsdDriver: 'viornd', sentence: 'An entropy source.' },
  { cls: 'scsi', name: 'scsi', netbsdDriver: 'vioscsi', sentence: 'A SCSI adapter.' },
];

const classChecks: Check[] = CLASSES.map(({ cls, name, netbsdDriver, sentence }) => ({
  id: `virtio.4/${name}`,
  suite: 'virtio.4',
  title: `virtio ${cls} attaches (${netbsdDriver}(4) on NetBSD)`,
  citation: cite(`virtio driver ... supports the following devices: ${netbsdDriver}(4) ${sentence}`),
  requires: { virtio: [cls] },
  os: ['linux', 'openbsd', 'netbsd'],
  async run(ctx) {
    const devices = await virtioDevicesOnce(ctx);
    const attached = judgeAttached(cls, devices, ctx.guest.driverFor(cls));
    if (attached.state !== 'pass' || !attached.device || ctx.guest.os !== 'linux') return attached;
    const facts = (await linuxGuestFacts(ctx)).virtio;
    const evidence = await linuxEvidence[cls]({ sh: ctx.sh, facts, device: attached.device.name, mac: ctx.offers.nics[0]?.mac });
    return { state: evidence.state, message: `${attached.message}; ${evidence.message}` };
  },
}));

const onlyOffered: Check = {
  id: 'virtio.4/only-offered',
  suite: 'virtio.4',
  title: 'no virtio device appears that the hypervisor withheld',
  citation: cite('The virtio device driver represents an emulated device that the hypervisor makes available to the virtual machine.'),
  // Only QEMU configs say which virtio devices they offer.
  requires: { families: ['qemu'] },
  os: ['linux', 'openbsd', 'netbsd'],
  async run(ctx) {
    return judgeOnlyOffered(ctx.offers.virtio, await virtioDevicesOnce(ctx));
  },
};

export const checks: Check[] = [...classChecks, onlyOffered];
