// NetBSD's boot messages: the autoconf tree plus what hypervisor(4), xenbus(4) and the virtio
// children print (guest-facts.md 8).
import { collectAutoconf, macIn } from './autoconf.ts';
import type { LogLine } from './log-lines.ts';
import type { Device, Hypervisor, Unconfigured, XenbusFacts } from './types.ts';
import { parseNetbsdHypervisor, parseXenbusMessage } from './xen.ts';

export interface NetbsdBoot {
  hypervisors: Hypervisor[];
  devices: Device[];
  unconfigured: Unconfigured[];
  xenbus?: XenbusFacts;
}

// virtio_child_attach_start: ": features: %s" (2016 ld_virtio: ": Features: %s").
const FEATURES = /^[Ff]eatures: (\S.*)$/;

export function parseNetbsd(lines: LogLine[]): NetbsdBoot {
  const { devices, unconfigured, other } = collectAutoconf(lines);
  for (const d of devices) {
    const features = FEATURES.exec(d.description ?? '');
    if (features) d.features = features[1];
    // vioif: "Ethernet address %s"; xennet: "MAC address %s", each on its own line.
    const address = macIn(d.description) ?? d.messages.map(macIn).find(Boolean);
    if (address) d.address = address;
  }
  const hypervisor = devices.find((d) => d.driver === 'hypervisor' && d.parent === 'mainbus0');
  const xen = hypervisor ? parseNetbsdHypervisor(hypervisor.description) : null;
  const xenbus = xenbusFacts(devices, other);
  return {
    hypervisors: xen ? [xen] : [],
    devices,
    unconfigured,
    ...(xenbus ? { xenbus } : {}),
  };
}

/** xenbus0's event channel: from "xenbus0: using event channel N", or from the 2006 code's bare
 *  "using event channel N" printed after xenbus0 attached. */
function xenbusFacts(devices: Device[], other: LogLine[]): XenbusFacts | null {
  const xenbus = devices.find((d) => d.driver === 'xenbus');
  if (!xenbus) return null;
  const texts = [...xenbus.messages, ...other.filter((l) => l.line > xenbus.line).map((l) => l.text)];
  for (const text of texts) {
    const facts = parseXenbusMessage(text);
    if (facts) return facts;
  }
  return null;
}
