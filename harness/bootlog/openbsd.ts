// OpenBSD's boot messages: the autoconf tree plus what pvbus(4), xen(4) and vio(4) print.
import { collectAutoconf, macIn } from './autoconf.ts';
import type { LogLine } from './log-lines.ts';
import { parsePvbusHypervisors } from './pvbus.ts';
import type { Device, Hypervisor, Unconfigured, XenFacts } from './types.ts';
import { parseXenAttach } from './xen.ts';

export interface OpenbsdBoot {
  hypervisors: Hypervisor[];
  devices: Device[];
  unconfigured: Unconfigured[];
  xen?: XenFacts;
}

// if_vio.c: ": address %s" (<= 7.5), ": %u queue%s, address %s" (rev 1.45, 7.6 on); guest-facts.md 7.2.
const VIO_QUEUES = /^(\d+) queues?, address /;

export function parseOpenbsd(lines: LogLine[]): OpenbsdBoot {
  const { devices, unconfigured } = collectAutoconf(lines);
  for (const d of devices) {
    const address = macIn(d.description);
    if (address) d.address = address;
    const queues = d.driver === 'vio' ? VIO_QUEUES.exec(d.description ?? '') : null;
    if (queues) d.queues = Number(queues[1]);
  }
  const pvbus = devices.find((d) => d.driver === 'pvbus' && d.parent === 'mainbus0');
  const xen = devices.find((d) => d.driver === 'xen' && d.parent?.startsWith('pvbus'));
  return {
    hypervisors: parsePvbusHypervisors(pvbus?.description ?? null),
    devices,
    unconfigured,
    ...(xen ? { xen: parseXenAttach(xen.description) } : {}),
  };
}
