// Boot messages for the verdict tests: real fixtures from ../shared/fixtures/dmesg where one shows
// the case, and short logs written from guest-facts.md where none does (each says which facts).
import { readFileSync } from 'node:fs';
import { parseBootLog, type AttachTree } from '../../harness/bootlog/index.ts';

export function fixture(name: string): AttachTree {
  return parseBootLog(readFileSync(new URL(`../../../shared/fixtures/dmesg/${name}`, import.meta.url), 'utf8'));
}

export function log(text: string): AttachTree {
  return parseBootLog(text);
}

const OPENBSD_BANNER = `OpenBSD 7.6 (GENERIC.MP) #338: Mon Sep 30 08:55:35 MDT 2024
    deraadt@amd64.openbsd.org:/usr/src/sys/arch/amd64/compile/GENERIC.MP
real mem = 1056829440 (1007MB)
mainbus0 at root
`;

/** OpenBSD with the given pvbus0 description, e.g. "KVM, Hyper-V 0.0" (§1.2 examples). */
export function openbsdWithPvbusText(description: string | null, rest = ''): string {
  return `${OPENBSD_BANNER}${description === null ? '' : `pvbus0 at mainbus0: ${description}\n`}${rest}`;
}

export function openbsdWithPvbus(description: string | null, rest = ''): AttachTree {
  return log(openbsdWithPvbusText(description, rest));
}

/** OpenBSD 7.6 on Xen HVM: pvbus0 "Xen 4.17" (§1.2), xen0's features/grant frames/event channel
 *  line (§5.3), xbf "backend %d channel %u: disk" and xnf "backend %d channel %u: address %s". */
export function openbsdXen(mac: string, opts: { xnfParent?: string; xbf?: boolean } = {}): AttachTree {
  return log(openbsdXenText(mac, opts));
}

export function openbsdXenText(mac: string, opts: { xnfParent?: string; xbf?: boolean } = {}): string {
  return openbsdWithPvbusText(
    'Xen 4.17',
    `xen0 at pvbus0: features 0x2705, 64 grant table frames, event channel 3
${opts.xbf === false ? '' : 'xbf0 at xen0 backend 0 channel 6: disk\nscsibus1 at xbf0: 2 targets\n'}xnf0 at ${opts.xnfParent ?? 'xen0'} backend 0 channel 7: address ${mac}
"vkbd" at xen0: device/vkbd/0 not configured
`,
  );
}

/** OpenBSD 7.6 on Hyper-V: "hyperv0 at pvbus0: protocol %d.%d, features %#x" and the IC service
 *  line (§4.5). The hvn and hvs lines' text after the locator is not in guest-facts.md; the
 *  verdicts judge only their name, parent and address. */
export function openbsdHyperv(opts: { services?: string; mac?: string } = {}): AttachTree {
  return log(openbsdHypervText(opts));
}

export function openbsdHypervText(opts: { services?: string; mac?: string } = {}): string {
  return openbsdWithPvbusText(
    'Hyper-V 10.0',
    `hyperv0 at pvbus0: protocol 4.0, features 0x2e7f
hyperv0: ${opts.services ?? 'heartbeat, kvp, shutdown, timesync'}
hvn0 at hyperv0 channel 14: NDIS 6.30, protocol 5, address ${opts.mac ?? '00:15:5d:00:01:02'}
hvs0 at hyperv0 channel 15: ide, protocol 6.2
scsibus1 at hvs0: 2 targets
`,
  );
}

/** NetBSD 10.1 domU: "hypervisor0 at mainbus0: Xen version %d.%d", "xenbus0 at hypervisor0: Xen
 *  Virtual Bus Interface", "xenbus0: using event channel N", xbd/xennet "at xenbus0 id N" and
 *  xennet's "MAC address %s" (§8.1). */
export function netbsdXen(mac: string, opts: { eventLine?: boolean; xennetParent?: string } = {}): AttachTree {
  return log(netbsdXenText(mac, opts));
}

export function netbsdXenText(mac: string, opts: { eventLine?: boolean; xennetParent?: string } = {}): string {
  return `NetBSD 10.1 (XEN3_DOMU) #0: Mon Dec 16 13:08:11 UTC 2024
	mkrepro@mkrepro.NetBSD.org:/usr/src/sys/arch/amd64/compile/XEN3_DOMU
total memory = 255 MB
mainbus0 (root)
hypervisor0 at mainbus0: Xen version 4.17
xenbus0 at hypervisor0: Xen Virtual Bus Interface
${opts.eventLine === false ? '' : 'xenbus0: using event channel 1\n'}xbd0 at xenbus0 id 768: Xen Virtual Block Device Interface
xennet0 at ${opts.xennetParent ?? 'xenbus0'} id 0: Xen Virtual Network Interface
xennet0: MAC address ${mac}
boot device: xbd0
`;
}
