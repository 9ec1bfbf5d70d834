// `doctor --config` for a Xen config: the nested host needs QEMU and its image; a real dom0 must
// answer SSH (xl itself is checked there when a run connects).
import { tcpProblem, toolVersion } from '../../core/host-tools.ts';
import { findCachedXenHost } from '../../../vm-images/xen-host/build.ts';
import type { XenConfig } from './config.ts';

export async function xenCannotRun(config: XenConfig): Promise<string[]> {
  if (config.host !== 'nested') {
    const why = await tcpProblem(config.host.address, config.host.port);
    return why ? [`no dom0: ${config.host.address}:${config.host.port} does not answer SSH from here (${why}); xl is checked there when a run connects`] : [];
  }
  const out: string[] = [];
  if (!(await toolVersion('qemu-system-x86_64', ['--version']))) out.push('no QEMU: the nested Xen host runs under qemu-system-x86_64');
  if (!(await findCachedXenHost())) out.push('no nested Xen host image: build it with `pvconform images build xen-host` (xl runs inside it)');
  return out;
}
