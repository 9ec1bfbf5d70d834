// What a Linux boot log shows of its hypervisor and paravirtual devices. Linux prints no attach
// tree: a device line is dev_printk's "<driver> <device>[ <netdev>]: text", and the parent device is
// never named, so a virtio device's parent here is its bus ("virtio") and a disk's is its device.
//   arch/x86/kernel/cpu/hypervisor.c: "Hypervisor detected: %s" (KVM, Xen HVM, Xen PV,
//     Microsoft Hyper-V, VMware, ...); none under TCG (lab.md section 4).
//   arch/x86/kernel/paravirt.c: "Booting paravirtualized kernel on %s" (KVM, Xen HVM, Hyper-V,
//     VMware hypervisor, bare hardware).
//   arch/x86/xen/enlighten_hvm.c init_hvm_pv_info: "Xen version %d.%d."
//   Hyper-V host version, by kernel era: "Hyper-V Host Build:%d-%d.%d-%d-%d.%d" (build-major.minor-...;
//     the vmbus connection.c form adds "; Vmbus version:%d.%d"), then
//     "Hyper-V: Host Build %d.%d.%d.%d-%d-%d" and "Hyper-V: Hypervisor Build ..." (major.minor.build...).
//   virtio_blk: "virtio_blk virtio1: [vda] 131072 512-byte logical blocks (...)";
//   virtio_scsi: "scsi host0: Virtio SCSI HBA"; sd: "sd 0:0:0:0: [sda] ..." (lab.md section 2).
//   xen-blkfront: "blkfront: xvda: flush diskcache: ...".
import type { LogLine } from './log-lines.ts';
import type { Device, Hypervisor } from './types.ts';

export interface LinuxBoot {
  hypervisors: Hypervisor[];
  devices: Device[];
  paravirtKernelOn?: string;
}

const DETECTED = /^Hypervisor detected: (.+)$/;
const PARAVIRT = /^Booting paravirtualized kernel on (.+)$/;
const XEN_VERSION = /^Xen version:? (\d+)\.(\d+)/;
const HYPERV_BUILD_OLD = /^Hyper-V Host Build:\d+-(\d+)\.(\d+)-/;
const HYPERV_BUILD_NEW = /^Hyper-V: (?:Host|Hypervisor) Build (\d+)\.(\d+)\./;
const DEV_PRINTK = /^([\w-]+) (virtio\d+)(?: ([\w.-]+))?: (.*)$/;
const VIRTIO_BLK_DISK = /^\[(vd[a-z]+)\]/;
const VIRTIO_SCSI_HOST = /^scsi host(\d+): Virtio SCSI HBA$/;
const SCSI_DISK = /^sd (\d+):\d+:\d+:\d+: \[(sd[a-z]+)\]/;
const BLKFRONT_DISK = /^blkfront: (xvd[a-z]+): /;

/** Linux's hypervisor names mapped to pvbus(4)'s, so every OS reports the same words. */
const NAMES: Record<string, string> = {
  KVM: 'KVM',
  'Xen HVM': 'Xen',
  'Xen PV': 'Xen',
  'Xen PVH': 'Xen',
  'Microsoft Hyper-V': 'Hyper-V',
  VMware: 'VMware',
  Bhyve: 'bhyve',
};

export function parseLinux(lines: LogLine[]): LinuxBoot {
  const hypervisors: Hypervisor[] = [];
  const versions: Record<string, string> = {};
  const devices = new Map<string, Device>();
  let paravirtKernelOn: string | undefined;

  const add = (name: string, driver: string, parent: string, line: number, text?: string): Device => {
    let d = devices.get(name);
    if (!d) {
      const unit = /\d+$/.exec(name);
      d = { name, driver, unit: unit ? Number(unit[0]) : null, parent, locator: null, description: text ?? null, messages: [], line };
      devices.set(name, d);
    } else if (text !== undefined) d.messages.push(text);
    return d;
  };

  for (const { text, line } of lines) {
    let m: RegExpExecArray | null;
    if ((m = DETECTED.exec(text))) hypervisors.push({ name: NAMES[m[1]] ?? m[1], version: null, raw: m[1] });
    else if ((m = PARAVIRT.exec(text))) paravirtKernelOn = m[1];
    else if ((m = XEN_VERSION.exec(text))) versions.Xen = `${m[1]}.${m[2]}`;
    else if ((m = HYPERV_BUILD_OLD.exec(text) ?? HYPERV_BUILD_NEW.exec(text))) versions['Hyper-V'] = `${m[1]}.${m[2]}`;
    else if ((m = DEV_PRINTK.exec(text))) {
      const [, driver, device, netdev, rest] = m;
      add(device, driver, 'virtio', line, rest);
      const disk = VIRTIO_BLK_DISK.exec(rest);
      if (disk) add(disk[1], driver, device, line);
      if (netdev) add(netdev, driver, device, line);
    } else if ((m = VIRTIO_SCSI_HOST.exec(text))) add(`host${m[1]}`, 'virtio_scsi', 'virtio', line, 'Virtio SCSI HBA');
    else if ((m = SCSI_DISK.exec(text))) add(m[2], 'sd', `host${m[1]}`, line);
    else if ((m = BLKFRONT_DISK.exec(text))) add(m[1], 'xen-blkfront', 'xen', line, text.slice('blkfront: '.length));
  }
  for (const h of hypervisors) h.version = versions[h.name] ?? null;
  return { hypervisors, devices: [...devices.values()], ...(paravirtKernelOn ? { paravirtKernelOn } : {}) };
}
