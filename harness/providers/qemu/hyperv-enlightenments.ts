// Hyper-V enlightenments on QEMU/KVM: the hv-* CPU flags and the VMBus bridge that make a KVM
// guest see Hyper-V as well as KVM (pvbus(4): "pvbus0 at mainbus0: KVM, Hyper-V x.y", one
// /dev/pvbus per interface). QEMU implements the flags only under KVM: under TCG it refuses
// them ("kernel doesn't allow setting HyperV VP_INDEX"), so a cell asking for them where KVM does
// not work is not runnable here.
import type { HypervEnlightenments, QemuConfig } from './config.ts';
import type { HypervisorInterface } from '../../core/offers.ts';
import { NoImageError } from '../../images/guest-image.ts';

/** The vendor signature guests match to detect Hyper-V (QEMU's default for hv-vendor-id). */
export const HYPERV_SIGNATURE = 'Microsoft Hv';

/** The flags, in dependency order: SynIC needs VP_INDEX, the synthetic timers need SynIC and the
 *  reference time; QEMU's VMBus bridge needs SynIC and VP_INDEX. */
const HV_FLAGS = ['hv-relaxed', 'hv-vapic', 'hv-spinlocks=0x1fff', 'hv-vpindex', 'hv-runtime', 'hv-time', 'hv-synic', 'hv-stimer', 'hv-frequencies', 'hv-reset', 'hv-tlbflush', 'hv-ipi'];

/** What `-cpu` gets appended: `,hv-relaxed,...` (empty without enlightenments). */
export function hypervCpuSuffix(hv: HypervEnlightenments | undefined): string {
  if (!hv) return '';
  const flags = [...HV_FLAGS];
  if (hv.vendorId !== undefined) flags.push(`hv-vendor-id=${hv.vendorId}`);
  return `,${flags.join(',')}`;
}

/** Devices the enlightenments add: QEMU's VMBus bridge, which hyperv(4) needs to attach. */
export function hypervDevices(hv: HypervEnlightenments | undefined): string[] {
  return hv?.vmbus ? ['-device', 'vmbus-bridge'] : [];
}

/** The interfaces a guest can detect, in pvbus(4)'s table order (KVM before Hyper-V). Under TCG
 *  QEMU shows no KVM signature (lab.md §4). A vendor id other than "Microsoft Hv" hides
 *  Hyper-V from guests that match the signature. */
export function offeredInterfaces(accel: 'kvm' | 'tcg', config: Pick<QemuConfig, 'hyperv'>): HypervisorInterface[] {
  if (accel !== 'kvm') return [];
  const hv = config.hyperv;
  const seesHyperv = hv !== undefined && (hv.vendorId === undefined || hv.vendorId === HYPERV_SIGNATURE);
  return seesHyperv ? ['KVM', 'Hyper-V'] : ['KVM'];
}

/** A cell that cannot run on this host because it needs KVM and KVM does not work here. Like a
 *  missing image, it ends as skip with the reason, and the run is not green. */
export class NeedsKvmError extends NoImageError {
  override name = 'NeedsKvmError';
  constructor(hypervisor: string, why: string) {
    super(hypervisor, 'a host whose KVM works');
    this.message = `needs KVM: ${hypervisor} asks for Hyper-V enlightenments (QEMU's hv-* CPU flags exist only under KVM), and KVM is not usable here (${why}). Run this cell on a host with working /dev/kvm (see ci/README.md)`;
  }
}

/** Throws NeedsKvmError when the config asks for enlightenments and the accelerator is TCG. */
export function refuseEnlightenmentsWithoutKvm(config: QemuConfig, accel: 'kvm' | 'tcg', why: string): void {
  if (config.hyperv && accel !== 'kvm') throw new NeedsKvmError(config.name, why);
}
