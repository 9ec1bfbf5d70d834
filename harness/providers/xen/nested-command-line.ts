// QEMU's argv for the nested Xen host: Xen by multiboot (-kernel), dom0's kernel and initramfs
// as multiboot modules (-initrd "kernel args,initrd"), dom0 reached through a user-net port.
import { InfraError } from '../../core/errors.ts';
import type { XenHostImage } from '../../../vm-images/xen-host/image.ts';

export interface NestedPaths {
  consoleLog: string;
  qmpSocket: string;
}

/** Everything but the per-session paths: what a saved machine state must match to be restored. */
export function machineArgs(image: XenHostImage): string[] {
  const f = image.files;
  for (const p of [f.xen, f.dom0Kernel, f.dom0Initrd])
    if (/[,\s]/.test(p)) throw new InfraError(`the xen-host image path ${p} contains a comma or a space, which QEMU's multiboot module list cannot carry. Fix: move the cache (.cache/images) to a plain path`);
  return [
    '-accel', process.env.PVC_ACCEL ?? 'tcg',
    '-machine', 'q35',
    '-cpu', process.env.PVC_CPU ?? image.cpu,
    '-m', String(image.memoryMiB),
    '-smp', process.env.PVC_SMP ?? String(image.cpus),
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-no-reboot',
    '-kernel', f.xen,
    '-append', image.xenArgs,
    '-initrd', `${f.dom0Kernel} ${image.dom0Args},${f.dom0Initrd}`,
    // Port 0: slirp picks a free port, read back over QMP.
    '-netdev', 'user,id=n0,hostfwd=tcp:127.0.0.1:0-:22',
    '-device', 'virtio-net-pci,netdev=n0',
    // Without entropy dom0's first SSH handshakes wait for the CRNG (lab.md §1).
    '-device', 'virtio-rng-pci',
  ];
}

export function nestedArgs(image: XenHostImage, paths: NestedPaths, incoming: boolean): string[] {
  return [
    ...machineArgs(image),
    '-serial', `file:${paths.consoleLog}`,
    '-qmp', `unix:${paths.qmpSocket},server=on,wait=off`,
    ...(incoming ? ['-incoming', 'defer'] : []),
  ];
}
