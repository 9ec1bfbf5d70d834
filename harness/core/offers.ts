// What a booted machine offers its guest: the facts a check's requirements are matched
// against, so "not offered" becomes skip-with-reason rather than a pass or a fail.

/** virtio(4)'s device classes, named by what they are rather than by any one OS's driver. */
export type VirtioClass = 'net' | 'blk' | 'scsi' | 'console' | 'balloon' | 'rng';
export const VIRTIO_CLASSES: readonly VirtioClass[] = ['net', 'blk', 'scsi', 'console', 'balloon', 'rng'];

/** Hypervisor interfaces as pvbus(4)'s table names them, in table order. */
export type HypervisorInterface = 'KVM' | 'Hyper-V' | 'VMware' | 'Xen' | 'bhyve' | 'OpenBSD';

/** A registered hypervisor family ('qemu', 'xen'...): the list is providers/registry.ts's. */
export type HypervisorFamily = string;

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
  /** Xen: data disks (vbd) given to the domU besides its boot device. */
  xenDisks?: number;
}

/** The host half of a key/value check: what the host sees of the guest's store. */
export interface HostKv {
  read(key: string): Promise<string | null>;
  write(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
}

/** The host's power button for the guest, for checks that watch a guest obey its hypervisor's
 *  shutdown request (Xen: `xl shutdown`, which writes control/shutdown). */
export interface HostControl {
  /** Asks the guest to power off and watches until it is gone, crashed, or `deadlineMs` has
   *  passed. The guest is not usable afterwards: run such a check last. */
  requestShutdown(deadlineMs: number): Promise<ShutdownObservation>;
}

export interface ShutdownObservation {
  /** The host's tool accepted the request (`xl shutdown` exited 0). */
  requested: boolean;
  /** What the tool said. */
  requestDetail: string;
  /** When the guest took the request off the store (Xen: control/shutdown read back empty),
   *  in ms after the request; null when not seen (it may have been too quick to catch). */
  acknowledgedMs: number | null;
  /** When the guest had stopped running (any way), in ms after the request; null if it still
   *  ran at the deadline. */
  stoppedMs: number | null;
  /** How it stopped, as the host saw it (Xen: the shutdown reason code xl reports). `gone` means
   *  it stopped but the host could not tell why. */
  outcome: 'powered off' | 'rebooted' | 'crashed' | 'gone' | 'still running';
  /** The guest's console output from the request on. */
  consoleAfter: string;
}
