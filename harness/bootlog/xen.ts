// Xen's attach facts as the guests print them.
//  OpenBSD xen(4) builds one line in three steps (guest-facts.md 5.3, xen.c xen_getfeatures,
//  xen_init_grant_tables, xenstore.c xs_attach):
//    xen0 at pvbus0: features 0x705, 32 grant table frames, event channel 3
//  (XEN_DEBUG kernels print the features with %b instead: the number, then the bit names in <>).
//  NetBSD xenbus(4) (guest-facts.md 8.1, xenbus_comms.c xb_init_comms, aprint_verbose_dev):
//    xenbus0: using event channel 3
//  NetBSD hypervisor(4) (hypervisor.c hypervisor_attach): hypervisor0 at mainbus0: Xen version 4.x
import type { Hypervisor, XenbusFacts, XenFacts } from './types.ts';

// %#x prints "0x705"; XEN_DEBUG's %b prints the number in the bit string's base (16) and the names.
const FEATURES = /\bfeatures ((?:0x)?([0-9a-f]+)(?:<([^>]*)>)?)/i;
const GRANT_FRAMES = /\b(\d+) grant table frames\b/;
const EVENT_CHANNEL = /\bevent channel (\d+)\b/;

export function parseXenAttach(description: string | null): XenFacts {
  const text = description ?? '';
  const features = FEATURES.exec(text);
  const frames = GRANT_FRAMES.exec(text);
  const channel = EVENT_CHANNEL.exec(text);
  return {
    features: features ? features[1] : null,
    featureBits: features ? Number.parseInt(features[2], 16) : null,
    featureNames: features?.[3] ? features[3].split(',').filter(Boolean) : [],
    grantFrames: frames ? Number(frames[1]) : null,
    eventChannel: channel ? Number(channel[1]) : null,
  };
}

const XENBUS_CHANNEL = /^using event channel (\d+)$/;

/** A xenbus0 message ("using event channel 3"; the 2006 code printed the same text with no
 *  "xenbus0: " prefix), or null when it is another message. */
export function parseXenbusMessage(text: string): XenbusFacts | null {
  const m = XENBUS_CHANNEL.exec(text);
  return m ? { eventChannel: Number(m[1]) } : null;
}

const NETBSD_XEN_VERSION = /^Xen version (\d+\.\d+)\S*$/;

/** NetBSD hypervisor0's description ("Xen version 4.11"), or null. */
export function parseNetbsdHypervisor(description: string | null): Hypervisor | null {
  const m = NETBSD_XEN_VERSION.exec(description ?? '');
  return m ? { name: 'Xen', version: m[1], raw: description! } : null;
}
