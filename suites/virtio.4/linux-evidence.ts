// Beyond "a driver is bound": what each class must let a Linux guest do. What sysfs shows comes
// from the facts gathered once per guest life; a class runs a command of its own only where the
// promise is an action (a disk read, a console write, bytes from the RNG).
import type { Shell } from '../../harness/core/shell.ts';
import type { VirtioClass } from '../../harness/core/offers.ts';
import type { Verdict } from '../../harness/core/checks.ts';
import type { LinuxVirtioFacts } from '../probe/linux-facts.ts';

export interface EvidenceInput {
  sh: Shell;
  facts: LinuxVirtioFacts;
  /** sysfs name of the attached device, e.g. virtio3. */
  device: string;
  /** MAC the provider gave the first NIC. */
  mac?: string;
}

type Evidence = (input: EvidenceInput) => Promise<Verdict>;

const sys = (d: string) => `/sys/bus/virtio/devices/${d}`;

export const linuxEvidence: Record<VirtioClass, Evidence> = {
  async blk({ sh, facts, device }) {
    const disk = facts.blocks.get(device)?.[0];
    if (!disk) return { state: 'fail', message: `no block device under ${sys(device)}/block` };
    const r = await sh.exec(`dd if=/dev/${disk.disk} of=/dev/null bs=4096 count=1 2>/dev/null`);
    return r.code === 0 ? { state: 'pass', message: `disk /dev/${disk.disk} (${disk.sectors * 512} bytes) reads` } : { state: 'fail', message: `/dev/${disk.disk} does not read (dd exit ${r.code})` };
  },
  async scsi({ facts, device }) {
    const hosts = (facts.scsiHosts.get(device) ?? []).filter((h) => h.procName === 'virtio_scsi');
    return hosts.length > 0 ? { state: 'pass', message: `SCSI host adapter registered (${hosts.length} host)` } : { state: 'fail', message: `no SCSI host adapter under ${sys(device)}` };
  },
  async net({ facts, device, mac }) {
    const nic = facts.nets.get(device)?.[0];
    if (!nic) return { state: 'fail', message: `no network interface under ${sys(device)}/net` };
    if (mac && nic.mac.toLowerCase() !== mac.toLowerCase()) return { state: 'fail', message: `interface ${nic.ifname} has MAC ${nic.mac}, the hypervisor gave ${mac}` };
    return { state: 'pass', message: `Ethernet interface ${nic.ifname} with MAC ${nic.mac}` };
  },
  async console({ sh, facts, device }) {
    const port = (facts.ports.get(device) ?? []).find((p) => /vport/.test(p));
    if (!port || !facts.nodes.has('hvc0')) return { state: 'fail', message: `no console port under ${sys(device)}/virtio-ports, or no /dev/hvc0 (ports: ${(facts.ports.get(device) ?? []).join(', ') || 'none'})` };
    const r = await sh.exec('echo pvconform-console-check > /dev/hvc0');
    return r.code === 0 ? { state: 'pass', message: `console port ${port} present; /dev/hvc0 accepts writes` } : { state: 'fail', message: `/dev/hvc0 does not accept writes (${r.stderr.trim() || `exit ${r.code}`})` };
  },
  async balloon({ facts, device }) {
    const features = facts.features.get(device) ?? '';
    return /^[01]+$/.test(features) ? { state: 'pass', message: `balloon device negotiated features ${features.slice(0, 16)}...` } : { state: 'fail', message: 'balloon device shows no negotiated features' };
  },
  async rng({ sh, facts }) {
    if (!facts.rngAvailable.some((r) => /virtio_rng/.test(r)))
      return { state: 'fail', message: `virtio_rng is not among the hardware RNGs (${facts.rngAvailable.join(' ') || 'none'})` };
    // busybox dd: a read from a character device can come back short; count what arrived.
    const r = await sh.exec('dd if=/dev/hwrng bs=16 count=1 2>/dev/null | wc -c');
    const bytes = Number(r.stdout.trim());
    return bytes === 16 ? { state: 'pass', message: 'virtio_rng is a hardware RNG and /dev/hwrng gave 16 bytes' } : { state: 'fail', message: `/dev/hwrng gave ${bytes} bytes, not 16` };
  },
};
