// Beyond "a driver is bound": what each class must let a Linux guest do. One short command per
// class, run only after the device was found attached.
import type { Shell } from '../../harness/core/shell.ts';
import type { VirtioClass } from '../../harness/core/offers.ts';
import type { Verdict } from '../../harness/core/checks.ts';

export interface EvidenceInput {
  sh: Shell;
  /** sysfs name of the attached device, e.g. virtio3. */
  device: string;
  /** MAC the provider gave the first NIC. */
  mac?: string;
}

type Evidence = (input: EvidenceInput) => Promise<Verdict>;

const sys = (d: string) => `/sys/bus/virtio/devices/${d}`;

export const linuxEvidence: Record<VirtioClass, Evidence> = {
  async blk({ sh, device }) {
    const r = await sh.exec(`b=$(ls ${sys(device)}/block 2>/dev/null | head -n1); [ -n "$b" ] && dd if=/dev/$b of=/dev/null bs=4096 count=1 2>/dev/null && echo "$b $(cat /sys/block/$b/size)"`);
    const m = /^(\S+) (\d+)/.exec(r.stdout.trim());
    return m ? { state: 'pass', message: `disk /dev/${m[1]} (${Number(m[2]) * 512} bytes) reads` } : { state: 'fail', message: `no readable block device under ${sys(device)}/block` };
  },
  async scsi({ sh, device }) {
    const r = await sh.exec(`for h in ${sys(device)}/host*; do [ -e "$h" ] && cat /sys/class/scsi_host/$(basename $h)/proc_name; done`);
    return r.stdout.includes('virtio_scsi') ? { state: 'pass', message: `SCSI host adapter registered (${r.stdout.trim().split('\n').length} host)` } : { state: 'fail', message: `no SCSI host adapter under ${sys(device)}` };
  },
  async net({ sh, device, mac }) {
    const r = await sh.exec(`for n in ${sys(device)}/net/*; do [ -e "$n" ] && echo "$(basename $n) $(cat $n/address)"; done`);
    const m = /^(\S+) (\S+)/.exec(r.stdout.trim());
    if (!m) return { state: 'fail', message: `no network interface under ${sys(device)}/net` };
    if (mac && m[2].toLowerCase() !== mac.toLowerCase()) return { state: 'fail', message: `interface ${m[1]} has MAC ${m[2]}, the hypervisor gave ${mac}` };
    return { state: 'pass', message: `Ethernet interface ${m[1]} with MAC ${m[2]}` };
  },
  async console({ sh, device }) {
    const r = await sh.exec(`ls ${sys(device)}/virtio-ports 2>/dev/null | head -n1; [ -c /dev/hvc0 ] && echo pvconform-console-check > /dev/hvc0 && echo wrote`);
    return r.stdout.includes('wrote') && /vport/.test(r.stdout)
      ? { state: 'pass', message: `console port ${r.stdout.trim().split('\n')[0]} present; /dev/hvc0 accepts writes` }
      : { state: 'fail', message: `no console port under ${sys(device)}/virtio-ports, or /dev/hvc0 does not accept writes (${r.stdout.trim() || r.stderr.trim()})` };
  },
  async balloon({ sh, device }) {
    const r = await sh.exec(`cat ${sys(device)}/features 2>/dev/null`);
    return /^[01]+$/.test(r.stdout.trim()) ? { state: 'pass', message: `balloon device negotiated features ${r.stdout.trim().slice(0, 16)}...` } : { state: 'fail', message: 'balloon device shows no negotiated features' };
  },
  async rng({ sh }) {
    const r = await sh.exec('cat /sys/class/misc/hw_random/rng_available 2>/dev/null; dd if=/dev/hwrng bs=16 count=1 2>/dev/null | wc -c');
    const lines = r.stdout.trim().split('\n');
    const bytes = Number(lines.at(-1));
    if (!/virtio_rng/.test(lines[0] ?? '')) return { state: 'fail', message: `virtio_rng is not among the hardware RNGs (${lines[0] ?? 'none'})` };
    return bytes === 16 ? { state: 'pass', message: 'virtio_rng is a hardware RNG and /dev/hwrng gave 16 bytes' } : { state: 'fail', message: `/dev/hwrng gave ${bytes} bytes, not 16` };
  },
};
