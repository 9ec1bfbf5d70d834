// A bootable guest image as providers see it: where its files are and how to log in.
import type { GuestOs } from '../core/checks.ts';

export interface GuestImage {
  /** Image name, e.g. `linux-ref`, `openbsd-7.8`. */
  name: string;
  os: GuestOs;
  release: string;
  /** Direct kernel boot (the Linux reference guest) or a disk image (BSD installs). */
  boot:
    | { kind: 'kernel'; kernel: string; initrd: string; append: string }
    | { kind: 'disk'; disk: string; format: 'qcow2' | 'raw' };
  ssh: {
    user: string;
    privateKeyPath: string;
    /** Pinned host key line (`ssh-ed25519 AAAA...`). */
    hostKey: string;
  };
  /** A line the guest prints on its serial console once SSH is up: the cheapest readiness
   *  signal (lab.md). Providers still confirm with SSH. */
  readyMarker?: string;
  /** The NIC QEMU gives the harness when a config withholds virtio-net (a device this guest
   *  has a driver for: vmxnet3 for linux-ref, e1000 for the BSDs). */
  fallbackNic?: string;
  /** Read-only base for the virtio data disks a cell is offered; each cell writes an overlay. */
  dataDiskBase?: string;
}

/** Thrown when the image is not built here: the cell's checks are skip with this message. */
export class NoImageError extends Error {
  override name = 'NoImageError';
  constructor(readonly image: string, readonly buildCommand: string) {
    super(`no image: build it with \`${buildCommand}\``);
  }
}
