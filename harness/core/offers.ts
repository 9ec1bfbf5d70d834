// What a booted machine offers its guest: the facts a check's requirements are matched
// against, so "not offered" becomes skip-with-reason rather than a pass or a fail.

/** virtio(4)'s device classes, named by what they are rather than by any one OS's driver. */
export type VirtioClass = 'net' | 'blk' | 'scsi' | 'console' | 'balloon' | 'rng';
export const VIRTIO_CLASSES: readonly VirtioClass[] = ['net', 'blk', 'scsi', 'console', 'balloon', 'rng'];

/** Hypervisor interfaces as pvbus(4)'s table names them, in table order. */
export type HypervisorInterface = 'KVM' | 'Hyper-V' | 'VMware' | 'Xen' | 'bhyve' | 'OpenBSD';

export type HypervisorFamily = 'qemu' | 'xen' | 'hyperv';

/** A key/value store the guest can reach through pvbus(4) or the like. */
export type KvStore = 'xenstore' | 'hyperv-kvp' | 'vmware-guestinfo';

export interface Offers {
  family: HypervisorFamily;
  /** For QEMU: the accelerator actually used after probing. */
  accel?: 'kvm' | 'tcg';
  /** Xen domain type, Hyper-V generation and the like. */
  flavour?: string;
  /** Interfaces a guest can detect (empty under TCG: QEMU shows no KVM signature there). */
  interfaces: HypervisorInterface[];
  virtio: VirtioClass[];
  kvStore: KvStore | null;
  /** NICs with the MAC address the provider chose, in order. */
  nics: { mac: string }[];
}

/** The host half of a key/value check: what the host sees of the guest's store. */
export interface HostKv {
  read(key: string): Promise<string | null>;
  write(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
}
