// `doctor --config` for a QEMU config: can this host run its cells? QEMU must be there, and a
// config that needs KVM (accel: kvm, Hyper-V enlightenments) needs KVM that really runs a guest.
import { toolVersion } from '../../core/host-tools.ts';
import { probeKvm } from '../../qemu/kvm-probe.ts';
import { findCachedImage } from '../../../vm-images/linux-ref/build.ts';
import type { QemuConfig } from './config.ts';

export async function qemuCannotRun(config: QemuConfig): Promise<string[]> {
  if (!(await toolVersion('qemu-system-x86_64', ['--version']))) return ['no QEMU: qemu-system-x86_64 not found (apt-get install qemu-system-x86)'];
  if (!config.hyperv && config.accel !== 'kvm') return [];
  const kvm = await probeKvm((await findCachedImage())?.kernel ?? null);
  if (kvm.usable) return [];
  return [config.hyperv ? `no KVM: Hyper-V enlightenments need KVM (${kvm.reason})` : `no KVM: accel is kvm (${kvm.reason})`];
}
