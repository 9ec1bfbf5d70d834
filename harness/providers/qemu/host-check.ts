// What `doctor` checks on this host for QEMU cells: QEMU, qemu-img, setpriv (the parent-death
// signal every QEMU is started with) and whether KVM really runs a guest (else TCG).
import type { HostFinding } from '../../core/host-finding.ts';
import { toolsOnPath, toolVersion } from '../../core/host-tools.ts';
import { probeKvm } from '../../qemu/kvm-probe.ts';
import { findCachedImage } from '../../../vm-images/linux-ref/build.ts';

export async function qemuHostFindings(): Promise<HostFinding[]> {
  const findings: HostFinding[] = [];
  const qemu = await toolVersion('qemu-system-x86_64', ['--version']);
  findings.push({ what: 'QEMU', ok: qemu !== null, detail: qemu ?? 'qemu-system-x86_64 not found. Fix: apt-get install qemu-system-x86' });
  const img = await toolVersion('qemu-img', ['--version']);
  findings.push({ what: 'qemu-img', ok: img !== null, detail: img ?? 'not found. Fix: apt-get install qemu-utils' });
  findings.push(...(await toolsOnPath([['setpriv', 'util-linux']])));
  // The probe boots the reference guest's kernel when it is built (a timed boot decides).
  const kernel = (await findCachedImage())?.kernel ?? null;
  const kvm = qemu ? await probeKvm(kernel) : null;
  findings.push({
    what: 'KVM',
    ok: kvm?.usable ?? false,
    optional: true,
    detail: kvm ? `${kvm.usable ? 'usable' : 'unusable, TCG will be used'}: ${kvm.reason}` : 'not probed: no QEMU',
  });
  return findings;
}
