// The shape of a parsed boot log: which OS and release booted, which hypervisors it saw, and
// the autoconf attach tree (device, driver, unit, parent, locator, description).
import type { VirtioClass } from '../core/offers.ts';

export type BootOs = 'OpenBSD' | 'NetBSD' | 'Linux';

/** One hypervisor interface the guest reported, e.g. pvbus(4)'s "Hyper-V 10.0". */
export interface Hypervisor {
  /** pvbus(4)'s table name where one applies (KVM, Hyper-V, VMware, Xen, bhyve, OpenBSD). */
  name: string;
  /** "major.minor" when the guest printed one, else null. */
  version: string | null;
  /** The text it was read from, for messages. */
  raw: string;
}

/** A device that attached: `<name> at <parent>[ <locator>][: <description>]`. */
export interface Device {
  /** The xname, e.g. vio0. Linux: the name it printed (virtio1, vda, enp1s0). */
  name: string;
  /** The name without its unit number (vio); Linux: the driver that printed the line. */
  driver: string;
  /** The unit number, or null when the name carries none (Linux's vda). */
  unit: number | null;
  /** The parent's xname, "root" for the root of the tree, a bus name on Linux (whose log names no
   *  parent device), or null when unknown. */
  parent: string | null;
  /** Bus-specific position between the parent and the colon ("dev 3 function 0", "targ 0 lun 0"). */
  locator: string | null;
  /** What the driver printed after the colon, or null. */
  description: string | null;
  /** The quoted product name of a PCI/USB line ("Qumranet Virtio Network"). */
  product?: string;
  /** MAC address when the attach line or a later line gives one (vio, xnf, vioif, xennet). */
  address?: string;
  /** if_vio's "N queues" (OpenBSD >= 7.6). */
  queues?: number;
  /** NetBSD virtio child's negotiated feature bits, as printed ("0x10000244<INDIRECT_DESC,...>"). */
  features?: string;
  /** Lines `<name>: text` printed for this device after it attached, in order. */
  messages: string[];
  /** 1-based line number in the input where it attached. */
  line: number;
}

/** A `"what" at parent ... not configured` line: something the kernel saw but did not attach. */
export interface Unconfigured {
  what: string;
  parent: string;
  locator: string | null;
  description: string | null;
  line: number;
}

/** A virtio transport device (virtioN) with what sits on it. */
export interface VirtioTransport {
  name: string;
  class: VirtioClass | 'other' | null;
  /** virtio device id when the guest's text about the transport names it: NetBSD's "id N" or type
   *  name, OpenBSD's PCI product ("Virtio Network" is 1, "unknown product 0x1045" is 5). Null when
   *  only the child driver tells (that gives the class, not an id) or for vmd's VMM Control. */
  deviceId: number | null;
  /** The child device attached to it, or null ("no matching child driver"). */
  child: string | null;
  driver: string | null;
  /** The interrupt line printed for it ("msix shared", "config interrupting at msix0 vec 0"). */
  interrupt: string | null;
}

/** OpenBSD xen(4)'s attach facts: `xen0 at pvbus0: features 0x705, 32 grant table frames, event channel 3`. */
export interface XenFacts {
  /** The feature word as printed, e.g. "0x705" (XEN_DEBUG kernels add "<NAMES>"). */
  features: string | null;
  featureBits: number | null;
  featureNames: string[];
  /** max_nr_frames from GNTTABOP_query_size. */
  grantFrames: number | null;
  /** XenStore's event channel. */
  eventChannel: number | null;
}

/** NetBSD xenbus(4): `xenbus0: using event channel N` (printed with -v, always in the buffer). */
export interface XenbusFacts {
  eventChannel: number;
}

export interface AttachTree {
  os: BootOs;
  /** The release as the banner prints it: "6.7", "6.0-current", "9.1_STABLE", "6.1.0-18-amd64";
   *  null when the buffer holds no banner. */
  release: string | null;
  /** The numeric part of the release. */
  releaseNumber: { major: number; minor: number } | null;
  /** The kernel banner line of the boot that was parsed. */
  banner: string | null;
  hypervisors: Hypervisor[];
  devices: Device[];
  unconfigured: Unconfigured[];
  virtio: VirtioTransport[];
  xen?: XenFacts;
  xenbus?: XenbusFacts;
  /** Linux only: `Booting paravirtualized kernel on <X>`. */
  paravirtKernelOn?: string;
  /** How many boots the buffer held; only the last was parsed. */
  bootsInBuffer: number;
  /** 1-based line where the parsed boot starts. */
  firstLine: number;
}
