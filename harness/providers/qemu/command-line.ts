// Turns a cell (image + QEMU config + what to withhold) into QEMU's argv. Pure, so it is
// tested without starting anything.
import type { QemuConfig } from './config.ts';
import type { GuestImage } from '../../images/guest-image.ts';
import type { VirtioClass } from '../../core/offers.ts';
import { hypervCpuSuffix, hypervDevices } from './hyperv-enlightenments.ts';

export interface QemuPaths {
  consoleLog: string;
  qmpSocket: string;
  /** Overlay for the system disk (disk images), or null for direct kernel boot. */
  systemOverlay: string | null;
  /** Overlays backing the offered virtio-blk and virtio-scsi data disks. */
  blkOverlay: string;
  scsiOverlay: string;
  virtconsoleLog: string;
}

export interface QemuLaunch {
  accel: 'kvm' | 'tcg';
  mac: string;
  /** Extra kernel arguments from the guest config (direct boot only). */
  extraKernelArgs: string;
}

export function qemuArgs(image: GuestImage, config: QemuConfig, paths: QemuPaths, launch: QemuLaunch): string[] {
  const offered = new Set<VirtioClass>(config.devices as VirtioClass[]);
  const cpu = (config.cpu ?? (launch.accel === 'kvm' ? 'host' : 'max')) + hypervCpuSuffix(config.hyperv);
  const args = [
    '-accel', launch.accel,
    '-machine', config.machine,
    '-cpu', cpu,
    '-m', String(config.memoryMiB),
    '-smp', String(config.cpus),
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-serial', `file:${paths.consoleLog}`,
    '-no-reboot',
    '-qmp', `unix:${paths.qmpSocket},server=on,wait=off`,
  ];
  if (image.boot.kind === 'kernel') {
    const append = [image.boot.append, config.extraKernelArgs, launch.extraKernelArgs].filter(Boolean).join(' ');
    args.push('-kernel', image.boot.kernel, '-initrd', image.boot.initrd, '-append', append);
  } else {
    // The system disk is not one of the offered classes' data disks: for BSD guests it is
    // virtio-blk when offered, else an emulated IDE disk so the guest still boots.
    const iface = offered.has('blk') ? 'virtio-blk-pci' : 'ide-hd';
    args.push('-drive', `if=none,id=sys0,file=${paths.systemOverlay},format=qcow2`, '-device', `${iface},drive=sys0,bootindex=0`);
  }
  // Port 0: slirp picks a free port, read back over QMP, so parallel cells never race.
  const hostfwd = 'hostfwd=tcp:127.0.0.1:0-:22';
  if (offered.has('net')) args.push('-netdev', `user,id=n0,${hostfwd}`, '-device', `virtio-net-pci,netdev=n0,mac=${launch.mac}`);
  else args.push('-netdev', `user,id=n0,${hostfwd}`, '-device', `${image.fallbackNic ?? 'e1000'},netdev=n0,mac=${launch.mac}`);
  if (offered.has('blk') && image.boot.kind === 'kernel')
    args.push('-drive', `if=none,id=d0,file=${paths.blkOverlay},format=qcow2`, '-device', 'virtio-blk-pci,drive=d0');
  if (offered.has('scsi'))
    args.push('-device', 'virtio-scsi-pci,id=scsi0', '-drive', `if=none,id=d1,file=${paths.scsiOverlay},format=qcow2`, '-device', 'scsi-hd,bus=scsi0.0,drive=d1');
  if (offered.has('console'))
    args.push('-device', 'virtio-serial-pci', '-chardev', `file,id=vc0,path=${paths.virtconsoleLog}`, '-device', 'virtconsole,chardev=vc0');
  if (offered.has('balloon')) args.push('-device', 'virtio-balloon-pci');
  if (offered.has('rng')) args.push('-device', 'virtio-rng-pci');
  args.push(...hypervDevices(config.hyperv));
  return args;
}

/** A locally administered, stable MAC per cell (QEMU's 52:54:00 prefix). */
export function macFor(cellId: string): string {
  let h = 2166136261;
  for (const c of cellId) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const b = [(h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return ['52', '54', '00', ...b.map((x) => x.toString(16).padStart(2, '0'))].join(':');
}
