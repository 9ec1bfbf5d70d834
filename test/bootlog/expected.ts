// What each real boot log in ../shared/fixtures/dmesg/ shows, written by reading the file (line
// numbers are the file's own, header included), not by running the parser. The comment above
// each entry quotes the lines the values come from.
import type { BootOs } from '../../harness/bootlog/types.ts';
import type { VirtioClass } from '../../harness/core/offers.ts';

export interface FixtureExpectation {
  file: string;
  os: BootOs;
  release: string;
  hypervisors: Array<{ name: string; version: string | null }>;
  /** Kernel banners in the buffer; the last one starts the boot that counts. */
  boots: number;
  /** Line of the last banner. */
  firstLine: number;
  /** Every device below a paravirtual bus, in attach order, as "name@parent". */
  pv: string[];
  /** virtio transports: [name, class, device id, child, interrupt line]. */
  virtio: Array<[string, VirtioClass | 'other', number | null, string | null, string | null]>;
  xen?: { features: string; grantFrames: number; eventChannel: number };
  /** `"what" at xen0 ... not configured` lines. */
  xenUnconfigured?: string[];
  /** Fields of single devices worth pinning (locator, description, address, features). */
  details?: Record<string, Record<string, string | number>>;
  /** Text the banner of the parsed boot must contain (tells the last boot from earlier ones). */
  bannerIncludes?: string;
  /** Linux: what "Booting paravirtualized kernel on" names. */
  paravirtKernelOn?: string;
}

const MASKED_MAC = 'xx:xx:xx:xx:xx:xx';

export const FIXTURES: FixtureExpectation[] = [
  // L10 NetBSD 9.1_STABLE (GENERIC) #0: Thu Apr 22 10:08:46 UTC 2021
  // no hypervisor0 line (bhyve; NetBSD prints no hypervisor list)
  // L71 virtio0 at pci0 dev 3 function 0 / L72 virtio0: Virtio Block Device (rev. 0x00)
  // L73 ld0 at virtio0: Features: 0x10000244<INDIRECT_DESC,FLUSH,BLK_SIZE,SEG_MAX>
  // L76 virtio0: config interrupting at msix0 vec 0
  // L79 virtio1 at pci0 dev 4 function 0 / L80 virtio1: Virtio Network Device (rev. 0x00)
  // L81 vioif0 at virtio1: Features: 0x11010020<...> / L82 vioif0: Ethernet address xx:xx:xx:xx:xx:xx
  // L86 virtio1: config interrupting at msix1 vec 0
  // L102-104 dk0/dk1/dk2 at ld0
  {
    file: 'netbsd-9.1_STABLE-bhyve-1.txt',
    os: 'NetBSD',
    release: '9.1_STABLE',
    hypervisors: [],
    boots: 1,
    firstLine: 10,
    pv: ['ld0@virtio0', 'vioif0@virtio1', 'dk0@ld0', 'dk1@ld0', 'dk2@ld0'],
    virtio: [
      ['virtio0', 'blk', 2, 'ld0', 'config interrupting at msix0 vec 0'],
      ['virtio1', 'net', 1, 'vioif0', 'config interrupting at msix1 vec 0'],
    ],
    details: {
      virtio0: { locator: 'dev 3 function 0' },
      ld0: { features: '0x10000244<INDIRECT_DESC,FLUSH,BLK_SIZE,SEG_MAX>' },
      vioif0: { features: '0x11010020<INDIRECT_DESC,NOTIFY_ON_EMPTY,STATUS,MAC>', address: MASKED_MAC },
      mainbus0: { parent: 'root' },
    },
  },
  // L4 OpenBSD 4.8 (GENERIC) #136; no pvbus0 (predates pvbus(4));
  // L43 Qumranet Virtio Memory rev 0x00 at pci0 dev 4 function 0 not configured (no virtio driver yet)
  {
    file: 'openbsd-4.8-kvm-1.txt',
    os: 'OpenBSD',
    release: '4.8',
    hypervisors: [],
    boots: 1,
    firstLine: 4,
    pv: [],
    virtio: [],
    details: { pchb0: { locator: 'dev 0 function 0', product: 'Intel 82441FX' } },
  },
  // L4 OpenBSD 5.0 (GENERIC) #53; no pvbus0; L33 vmt0 at mainbus0 (vmt before pvbus: not below a pv bus)
  {
    file: 'openbsd-5.0-vmware-1.txt',
    os: 'OpenBSD',
    release: '5.0',
    hypervisors: [],
    boots: 1,
    firstLine: 4,
    pv: [],
    virtio: [],
    details: { vmt0: { parent: 'mainbus0' } },
  },
  // L4 OpenBSD 5.3-stable (GENERIC) #1; no pvbus0, no virtio (em0, wd0)
  {
    file: 'openbsd-5.3-stable-qemu-1.txt',
    os: 'OpenBSD',
    release: '5.3-stable',
    hypervisors: [],
    boots: 1,
    firstLine: 4,
    pv: [],
    virtio: [],
  },
  // L4 OpenBSD 5.7 (GENERIC.MP) #881; no pvbus0
  // L34 virtio0 at pci0 dev 2 function 0 "Qumranet Virtio Storage" rev 0x00: Virtio Block Device
  // L35 vioblk0 at virtio0 / L36 scsibus1 at vioblk0 / L37 sd0 at scsibus1 targ 0 lun 0: <VirtIO, Block Device, > ...
  // L39 virtio0: apic 0 int 16
  {
    file: 'openbsd-5.7-bhyve-1.txt',
    os: 'OpenBSD',
    release: '5.7',
    hypervisors: [],
    boots: 1,
    firstLine: 4,
    pv: ['vioblk0@virtio0', 'scsibus1@vioblk0', 'sd0@scsibus1'],
    virtio: [['virtio0', 'blk', 2, 'vioblk0', 'apic 0 int 16']],
    details: {
      virtio0: { description: 'Virtio Block Device', product: 'Qumranet Virtio Storage' },
      sd0: { locator: 'targ 0 lun 0' },
    },
  },
  // L4-9 boot loader lines and copyright; L11 OpenBSD 5.9-beta (GENERIC.MP) #1
  // L39 pvbus0 at mainbus0: Xen 4.2
  // L40 xen0 at pvbus0: features 0x705, 32 grant table frames, event channel 3
  // L41 "vfb" at xen0: device/vfb/0 not configured / L42 "vbd" ... / L44 "console" ...
  // L43 xnf0 at xen0: event channel 5, address xx:xx:xx:xx:xx:xx (pre-6.0 xnf format)
  {
    file: 'openbsd-5.9-beta-xen-hvm-1.txt',
    os: 'OpenBSD',
    release: '5.9-beta',
    hypervisors: [{ name: 'Xen', version: '4.2' }],
    boots: 1,
    firstLine: 11,
    pv: ['xen0@pvbus0', 'xnf0@xen0'],
    virtio: [],
    xen: { features: '0x705', grantFrames: 32, eventChannel: 3 },
    xenUnconfigured: ['vfb', 'vbd', 'console'],
    details: { xnf0: { description: `event channel 5, address ${MASKED_MAC}`, address: MASKED_MAC } },
  },
  // L10 OpenBSD 5.9-beta (GENERIC.MP) #1; L276 pvbus0 at mainbus0: Xen 4.2
  // L277 xen0 at pvbus0: features 0x705, 270 grant table frames, event channel 42
  // L278 "vfb", L279 "vbd", L281 "console" not configured; L280 xnf0 at xen0: event channel 44, address xx:...
  {
    file: 'openbsd-5.9-beta-xen-hvm-4.txt',
    os: 'OpenBSD',
    release: '5.9-beta',
    hypervisors: [{ name: 'Xen', version: '4.2' }],
    boots: 1,
    firstLine: 10,
    pv: ['xen0@pvbus0', 'xnf0@xen0'],
    virtio: [],
    xen: { features: '0x705', grantFrames: 270, eventChannel: 42 },
    xenUnconfigured: ['vfb', 'vbd', 'console'],
  },
  // L4 OpenBSD 6.0-current (GENERIC.MP) #0; L17 pvbus0 at mainbus0: OpenBSD
  // L20 virtio0 "Qumranet Virtio RNG" / L21 viornd0 at virtio0 / L22 virtio0: irq 3
  // L23 virtio1 "Qumranet Virtio Storage" / L24 vioblk0 / L25 scsibus1 at vioblk0 / L26 sd0 at scsibus1 / L28 virtio1: irq 5
  // L29 virtio2 "Qumranet Virtio Network" / L30 vio0 at virtio2: address xx:... / L31 virtio2: irq 7
  {
    file: 'openbsd-6.0-current-vmm-1.txt',
    os: 'OpenBSD',
    release: '6.0-current',
    hypervisors: [{ name: 'OpenBSD', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['viornd0@virtio0', 'vioblk0@virtio1', 'scsibus1@vioblk0', 'sd0@scsibus1', 'vio0@virtio2'],
    virtio: [
      ['virtio0', 'rng', 4, 'viornd0', 'irq 3'],
      ['virtio1', 'blk', 2, 'vioblk0', 'irq 5'],
      ['virtio2', 'net', 1, 'vio0', 'irq 7'],
    ],
    details: { vio0: { address: MASKED_MAC, description: `address ${MASKED_MAC}` } },
  },
  // L9 OpenBSD 6.0-current (GENERIC.MP) #166; L485 pvbus0 at mainbus0: Xen 4.2
  // L486 xen0 at pvbus0: features 0x705, 270 grant table frames, event channel 66
  // L487 "vfb" at xen0 ... not configured; L493 "console" at xen0 ... not configured
  // L488 xbf0 at xen0 backend 0 chan 68: disk / L489 scsibus1 at xbf0 / L490 sd0 at scsibus1
  // L492 xnf0 at xen0 backend 0 chan 69: address xx:...
  {
    file: 'openbsd-6.0-current-xen-hvm-1.txt',
    os: 'OpenBSD',
    release: '6.0-current',
    hypervisors: [{ name: 'Xen', version: '4.2' }],
    boots: 1,
    firstLine: 9,
    pv: ['xen0@pvbus0', 'xbf0@xen0', 'scsibus1@xbf0', 'sd0@scsibus1', 'xnf0@xen0'],
    virtio: [],
    xen: { features: '0x705', grantFrames: 270, eventChannel: 66 },
    xenUnconfigured: ['vfb', 'console'],
    details: {
      xbf0: { locator: 'backend 0 chan 68', description: 'disk' },
      xnf0: { locator: 'backend 0 chan 69', address: MASKED_MAC },
    },
  },
  // L4 OpenBSD 6.0 (GENERIC) #2; L41 pvbus0 at mainbus0: KVM
  // L54-56 virtio0 "Qumranet Virtio Network" / vio0 at virtio0 / virtio0: msix shared
  // L57-62 virtio1 "Qumranet Virtio Storage" / vioblk0 / scsibus1 at vioblk0 / sd0 at scsibus1 / virtio1: msix shared
  // L63-65 virtio2 "Qumranet Virtio Memory" / viomb0 at virtio2 / virtio2: apic 0 int 10
  // (L90 sd1 at scsibus3 is softraid's, not virtio's)
  {
    file: 'openbsd-6.0-kvm-1.txt',
    os: 'OpenBSD',
    release: '6.0',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vio0@virtio0', 'vioblk0@virtio1', 'scsibus1@vioblk0', 'sd0@scsibus1', 'viomb0@virtio2'],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'blk', 2, 'vioblk0', 'msix shared'],
      ['virtio2', 'balloon', 5, 'viomb0', 'apic 0 int 10'],
    ],
  },
  // L4 OpenBSD 6.0 (GENERIC.MP) #0; L47 pvbus0 at mainbus0: KVM (VirtualBox shows a KVM signature);
  // no virtio; L55 "InnoTek VirtualBox Guest Service" ... not configured; L78-104 sysctl output
  {
    file: 'openbsd-6.0-virtualbox-1.txt',
    os: 'OpenBSD',
    release: '6.0',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: [],
    virtio: [],
  },
  // L4 OpenBSD 6.1 (GENERIC.MP) #0 (i386); L46 pvbus0 at mainbus0: KVM; no virtio
  {
    file: 'openbsd-6.1-virtualbox-2.txt',
    os: 'OpenBSD',
    release: '6.1',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: [],
    virtio: [],
  },
  // Three boots: L4 and L154 "OpenBSD 6.1 (GENERIC.MP) #8", L304 "OpenBSD 6.1 (GENERIC.MP) #19"
  // last boot: L345 pvbus0 at mainbus0: VMware / L346 vmt0 at pvbus0
  {
    file: 'openbsd-6.1-vmware-2.txt',
    os: 'OpenBSD',
    release: '6.1',
    hypervisors: [{ name: 'VMware', version: null }],
    boots: 3,
    firstLine: 304,
    pv: ['vmt0@pvbus0'],
    virtio: [],
    bannerIncludes: '#19: Thu Aug  3 14:59:44 CEST 2017',
    details: { vmt0: { line: 346 }, pvbus0: { line: 345 } },
  },
  // L4 OpenBSD 6.2-current (GENERIC) #393; L39 pvbus0 at mainbus0: KVM
  // L55-57 virtio0 Network / vio0 / msix shared; L58-63 virtio1 Storage / vioblk0 / scsibus2 / sd0 / msix shared
  // L64-66 virtio2 Memory / viomb0 / apic 0 int 10; L67-69 virtio3 RNG / viornd0 / apic 0 int 10
  {
    file: 'openbsd-6.2-current-kvm-1.txt',
    os: 'OpenBSD',
    release: '6.2-current',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vio0@virtio0', 'vioblk0@virtio1', 'scsibus2@vioblk0', 'sd0@scsibus2', 'viomb0@virtio2', 'viornd0@virtio3'],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'blk', 2, 'vioblk0', 'msix shared'],
      ['virtio2', 'balloon', 5, 'viomb0', 'apic 0 int 10'],
      ['virtio3', 'rng', 4, 'viornd0', 'apic 0 int 10'],
    ],
  },
  // L4 OpenBSD 6.2 (GENERIC.MP) #2; L49 pvbus0 at mainbus0: KVM
  // L65-67 virtio0 Network / vio0 / msix shared
  // L68-73 virtio1 "Qumranet Virtio SCSI" / vioscsi0 at virtio1: qsize 128 / scsibus2 at vioscsi0 / sd0 at scsibus2 / msix shared
  // L74-76 virtio2 Memory / viomb0 / apic 0 int 10
  {
    file: 'openbsd-6.2-kvm-3.txt',
    os: 'OpenBSD',
    release: '6.2',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vio0@virtio0', 'vioscsi0@virtio1', 'scsibus2@vioscsi0', 'sd0@scsibus2', 'viomb0@virtio2'],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'scsi', 8, 'vioscsi0', 'msix shared'],
      ['virtio2', 'balloon', 5, 'viomb0', 'apic 0 int 10'],
    ],
    details: { vioscsi0: { description: 'qsize 128' } },
  },
  // L4 OpenBSD 6.2 (GENERIC) #7; L38 pvbus0 at mainbus0: VMware; L39 vmt0 at pvbus0
  {
    file: 'openbsd-6.2-vmware-1.txt',
    os: 'OpenBSD',
    release: '6.2',
    hypervisors: [{ name: 'VMware', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vmt0@pvbus0'],
    virtio: [],
    details: { vmx0: { parent: 'pci3', address: MASKED_MAC } },
  },
  // L4 OpenBSD 6.3 (GENERIC) #2; L39 pvbus0 at mainbus0: KVM
  // L55-57 virtio0 Network / vio0; L58-63 virtio1 Storage / vioblk0 / scsibus2 / sd0; L64-66 virtio2 Memory / viomb0 / apic 0 int 10
  // L67-69 virtio3 RNG / viornd0 / apic 0 int 10 (L91 sd1 at scsibus4 is softraid's)
  {
    file: 'openbsd-6.3-kvm-2.txt',
    os: 'OpenBSD',
    release: '6.3',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vio0@virtio0', 'vioblk0@virtio1', 'scsibus2@vioblk0', 'sd0@scsibus2', 'viomb0@virtio2', 'viornd0@virtio3'],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'blk', 2, 'vioblk0', 'msix shared'],
      ['virtio2', 'balloon', 5, 'viomb0', 'apic 0 int 10'],
      ['virtio3', 'rng', 4, 'viornd0', 'apic 0 int 10'],
    ],
  },
  // L4 OpenBSD 6.3 (GENERIC) #10; L20 pvbus0 at mainbus0: OpenBSD
  // L23-25 virtio0 RNG / viornd0 / irq 3; L26-31 virtio1 Storage / vioblk0 / scsibus1 / sd0 / irq 5
  // L32-34 virtio2 Network / vio0 / irq 6; L35-37 virtio3 "OpenBSD VMM Control" / vmmci0 / irq 7
  {
    file: 'openbsd-6.3-vmm-1.txt',
    os: 'OpenBSD',
    release: '6.3',
    hypervisors: [{ name: 'OpenBSD', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['viornd0@virtio0', 'vioblk0@virtio1', 'scsibus1@vioblk0', 'sd0@scsibus1', 'vio0@virtio2', 'vmmci0@virtio3'],
    virtio: [
      ['virtio0', 'rng', 4, 'viornd0', 'irq 3'],
      ['virtio1', 'blk', 2, 'vioblk0', 'irq 5'],
      ['virtio2', 'net', 1, 'vio0', 'irq 6'],
      ['virtio3', 'other', null, 'vmmci0', 'irq 7'],
    ],
  },
  // L4 OpenBSD 6.4-current (GENERIC) #418; L20 pvbus0 at mainbus0: OpenBSD
  // L23-25 virtio0 RNG / viornd0 / irq 3; L26-31 virtio1 Storage / vioblk0 / scsibus1 / sd0 / irq 5
  // L32-37 virtio2 Storage / vioblk1 / scsibus2 / sd1 / irq 6; L38-40 virtio3 Network / vio0 / irq 7
  // L41-43 virtio4 "OpenBSD VMM Control" / vmmci0 / irq 9
  {
    file: 'openbsd-6.4-current-vmm-1.txt',
    os: 'OpenBSD',
    release: '6.4-current',
    hypervisors: [{ name: 'OpenBSD', version: null }],
    boots: 1,
    firstLine: 4,
    pv: [
      'viornd0@virtio0',
      'vioblk0@virtio1',
      'scsibus1@vioblk0',
      'sd0@scsibus1',
      'vioblk1@virtio2',
      'scsibus2@vioblk1',
      'sd1@scsibus2',
      'vio0@virtio3',
      'vmmci0@virtio4',
    ],
    virtio: [
      ['virtio0', 'rng', 4, 'viornd0', 'irq 3'],
      ['virtio1', 'blk', 2, 'vioblk0', 'irq 5'],
      ['virtio2', 'blk', 2, 'vioblk1', 'irq 6'],
      ['virtio3', 'net', 1, 'vio0', 'irq 7'],
      ['virtio4', 'other', null, 'vmmci0', 'irq 9'],
    ],
  },
  // L4 OpenBSD 6.4 (GENERIC) #349; L40 pvbus0 at mainbus0: KVM
  // L56-58 virtio0 Network / vio0 / msix shared; L59-64 virtio1 Storage / vioblk0 / scsibus2 / sd0 / msix shared
  // L65-67 virtio2 Memory / viomb0 / apic 0 int 10; L68-70 virtio3 RNG / viornd0 / apic 0 int 10
  // L71-73 virtio4 Network / vio1 / msix shared
  {
    file: 'openbsd-6.4-kvm-2.txt',
    os: 'OpenBSD',
    release: '6.4',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vio0@virtio0', 'vioblk0@virtio1', 'scsibus2@vioblk0', 'sd0@scsibus2', 'viomb0@virtio2', 'viornd0@virtio3', 'vio1@virtio4'],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'blk', 2, 'vioblk0', 'msix shared'],
      ['virtio2', 'balloon', 5, 'viomb0', 'apic 0 int 10'],
      ['virtio3', 'rng', 4, 'viornd0', 'apic 0 int 10'],
      ['virtio4', 'net', 1, 'vio1', 'msix shared'],
    ],
  },
  // L4 OpenBSD 6.4 (GENERIC) #6; L42 pvbus0 at mainbus0: KVM
  // L58-60 virtio0 Network / vio0 / msix shared; L61-66 virtio1 SCSI / vioscsi0: qsize 128 / scsibus2 / sd0 / msix shared
  // L67-69 virtio2 Memory / viomb0 / apic 0 int 10
  // L70 virtio3 "Qumranet Virtio Console" / L71 virtio3: no matching child driver; not configured
  {
    file: 'openbsd-6.4-kvm-5.txt',
    os: 'OpenBSD',
    release: '6.4',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vio0@virtio0', 'vioscsi0@virtio1', 'scsibus2@vioscsi0', 'sd0@scsibus2', 'viomb0@virtio2'],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'scsi', 8, 'vioscsi0', 'msix shared'],
      ['virtio2', 'balloon', 5, 'viomb0', 'apic 0 int 10'],
      ['virtio3', 'console', 3, null, null],
    ],
  },
  // L4 OpenBSD 6.6 (GENERIC) #353; L168 pvbus0 at mainbus0: KVM; L169 pvclock0 at pvbus0
  // L175 virtio0 at pci0 dev 2 function 0 vendor "Qumranet", unknown product 0x1045 rev 0x01 / L176 viomb0 / L177 apic 0 int 11
  // L178-180 virtio1 "Qumranet Virtio 1.x Network" / vio0 / msix shared
  // L181-183 virtio2 "Qumranet Virtio 1.x RNG" / viornd0 / apic 0 int 10
  // L184-189 virtio3 "Qumranet Virtio 1.x Storage" / vioblk0 / scsibus1 / sd0 / msix shared
  {
    file: 'openbsd-6.6-kvm-1.txt',
    os: 'OpenBSD',
    release: '6.6',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['pvclock0@pvbus0', 'viomb0@virtio0', 'vio0@virtio1', 'viornd0@virtio2', 'vioblk0@virtio3', 'scsibus1@vioblk0', 'sd0@scsibus1'],
    virtio: [
      ['virtio0', 'balloon', 5, 'viomb0', 'apic 0 int 11'],
      ['virtio1', 'net', 1, 'vio0', 'msix shared'],
      ['virtio2', 'rng', 4, 'viornd0', 'apic 0 int 10'],
      ['virtio3', 'blk', 2, 'vioblk0', 'msix shared'],
    ],
    details: { virtio0: { locator: 'dev 2 function 0', product: 'vendor "Qumranet", unknown product 0x1045' } },
  },
  // L4 OpenBSD 6.6 (GENERIC) #6; L42 pvbus0 at mainbus0: KVM; L43 pvclock0 at pvbus0
  // L56-58 virtio0 Network / vio0; L59-64 virtio1 Storage / vioblk0 / scsibus1 / sd0
  // L65-70 virtio2 Storage / vioblk1 / scsibus2 / sd1; L71-76 virtio3 Storage / vioblk2 / scsibus3 / sd2 (all msix shared)
  // L77-79 virtio4 "Qumranet Virtio Memory Balloon" / viomb0 / apic 0 int 11
  {
    file: 'openbsd-6.6-kvm-4.txt',
    os: 'OpenBSD',
    release: '6.6',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: [
      'pvclock0@pvbus0',
      'vio0@virtio0',
      'vioblk0@virtio1',
      'scsibus1@vioblk0',
      'sd0@scsibus1',
      'vioblk1@virtio2',
      'scsibus2@vioblk1',
      'sd1@scsibus2',
      'vioblk2@virtio3',
      'scsibus3@vioblk2',
      'sd2@scsibus3',
      'viomb0@virtio4',
    ],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'blk', 2, 'vioblk0', 'msix shared'],
      ['virtio2', 'blk', 2, 'vioblk1', 'msix shared'],
      ['virtio3', 'blk', 2, 'vioblk2', 'msix shared'],
      ['virtio4', 'balloon', 5, 'viomb0', 'apic 0 int 11'],
    ],
  },
  // L4 OpenBSD 6.7 (GENERIC) #4; L37 pvbus0 at mainbus0: bhyve
  // L40-45 virtio0 Storage / vioblk0 / scsibus1 / sd0 / msix shared; L46-48 virtio1 Network / vio0 / msix shared
  // L49-51 virtio2 RNG / viornd0 / msix shared
  {
    file: 'openbsd-6.7-bhyve-1.txt',
    os: 'OpenBSD',
    release: '6.7',
    hypervisors: [{ name: 'bhyve', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['vioblk0@virtio0', 'scsibus1@vioblk0', 'sd0@scsibus1', 'vio0@virtio1', 'viornd0@virtio2'],
    virtio: [
      ['virtio0', 'blk', 2, 'vioblk0', 'msix shared'],
      ['virtio1', 'net', 1, 'vio0', 'msix shared'],
      ['virtio2', 'rng', 4, 'viornd0', 'msix shared'],
    ],
  },
  // L4 OpenBSD 6.7 (GENERIC) #2; L40 pvbus0 at mainbus0: KVM; L41 pvclock0 at pvbus0
  // L47-49 virtio0 unknown product 0x1045 / viomb0 / apic 0 int 22; L50-52 virtio1 1.x Network / vio0 / msix shared
  // L53-55 virtio2 1.x RNG / viornd0 / apic 0 int 20; L56-61 virtio3 1.x Storage / vioblk0 / scsibus1 / sd0 / msix shared
  {
    file: 'openbsd-6.7-kvm-3.txt',
    os: 'OpenBSD',
    release: '6.7',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: ['pvclock0@pvbus0', 'viomb0@virtio0', 'vio0@virtio1', 'viornd0@virtio2', 'vioblk0@virtio3', 'scsibus1@vioblk0', 'sd0@scsibus1'],
    virtio: [
      ['virtio0', 'balloon', 5, 'viomb0', 'apic 0 int 22'],
      ['virtio1', 'net', 1, 'vio0', 'msix shared'],
      ['virtio2', 'rng', 4, 'viornd0', 'apic 0 int 20'],
      ['virtio3', 'blk', 2, 'vioblk0', 'msix shared'],
    ],
  },
  // L4 OpenBSD 6.7 (GENERIC) #5; L38 pvbus0 at mainbus0: KVM; L39 pvclock0 at pvbus0
  // L52-54 virtio0 Network / vio0; L55-58 virtio1 SCSI / vioscsi0: qsize 128 / scsibus1 (no disk) / msix shared
  // L59-64 virtio2 Storage / vioblk0 / scsibus2 / sd0; L65-70 virtio3 Storage / vioblk1 / scsibus3 / sd1
  // L71-73 virtio4 "Qumranet Virtio Memory Balloon" / viomb0 / apic 0 int 11
  {
    file: 'openbsd-6.7-kvm-6.txt',
    os: 'OpenBSD',
    release: '6.7',
    hypervisors: [{ name: 'KVM', version: null }],
    boots: 1,
    firstLine: 4,
    pv: [
      'pvclock0@pvbus0',
      'vio0@virtio0',
      'vioscsi0@virtio1',
      'scsibus1@vioscsi0',
      'vioblk0@virtio2',
      'scsibus2@vioblk0',
      'sd0@scsibus2',
      'vioblk1@virtio3',
      'scsibus3@vioblk1',
      'sd1@scsibus3',
      'viomb0@virtio4',
    ],
    virtio: [
      ['virtio0', 'net', 1, 'vio0', 'msix shared'],
      ['virtio1', 'scsi', 8, 'vioscsi0', 'msix shared'],
      ['virtio2', 'blk', 2, 'vioblk0', 'msix shared'],
      ['virtio3', 'blk', 2, 'vioblk1', 'msix shared'],
      ['virtio4', 'balloon', 5, 'viomb0', 'apic 0 int 11'],
    ],
  },
  // L4 OpenBSD 6.7 (GENERIC) #3; L21 pvbus0 at mainbus0: OpenBSD; L22 pvclock0 at pvbus0
  // L25-27 virtio0 RNG / viornd0 / irq 3; L28-30 virtio1 Network / vio0 / irq 5
  // L31-36 virtio2 Storage / vioblk0 / scsibus1 / sd0 / irq 6
  // L37-41 virtio3 SCSI / vioscsi0: qsize 128 / scsibus2 at vioscsi0 / cd0 at scsibus2 / irq 7
  // L42-44 virtio4 "OpenBSD VMM Control" / vmmci0 / irq 9
  {
    file: 'openbsd-6.7-vmm-1.txt',
    os: 'OpenBSD',
    release: '6.7',
    hypervisors: [{ name: 'OpenBSD', version: null }],
    boots: 1,
    firstLine: 4,
    pv: [
      'pvclock0@pvbus0',
      'viornd0@virtio0',
      'vio0@virtio1',
      'vioblk0@virtio2',
      'scsibus1@vioblk0',
      'sd0@scsibus1',
      'vioscsi0@virtio3',
      'scsibus2@vioscsi0',
      'cd0@scsibus2',
      'vmmci0@virtio4',
    ],
    virtio: [
      ['virtio0', 'rng', 4, 'viornd0', 'irq 3'],
      ['virtio1', 'net', 1, 'vio0', 'irq 5'],
      ['virtio2', 'blk', 2, 'vioblk0', 'irq 6'],
      ['virtio3', 'scsi', 8, 'vioscsi0', 'irq 7'],
      ['virtio4', 'other', null, 'vmmci0', 'irq 9'],
    ],
  },
];

// Real Linux logs captured for this project (test/bootlog/fixtures/, how in each file's header).
export const LINUX_FIXTURES: FixtureExpectation[] = [
  // L4 [    0.000000] Linux version 6.1.0-53-cloud-amd64 (debian-kernel@lists.debian.org) ...
  // no "Hypervisor detected" (TCG shows no signature); L69 Booting paravirtualized kernel on bare hardware
  // L337 virtio_blk virtio1: 1/0/0 default/read/poll queues / L338 virtio_blk virtio1: [vda] 131072 512-byte ...
  // L340 scsi host0: Virtio SCSI HBA / L343 sd 0:0:0:0: [sda] 65536 512-byte logical blocks ...
  // (virtio_net, console, balloon, rng print nothing at the default log level)
  {
    file: 'linux-6.1-tcg-virtio.txt',
    os: 'Linux',
    release: '6.1.0-53-cloud-amd64',
    hypervisors: [],
    boots: 1,
    firstLine: 4,
    pv: ['virtio1@virtio', 'vda@virtio1', 'host0@virtio', 'sda@host0'],
    virtio: [['virtio1', 'blk', null, 'vda', null]],
    paravirtKernelOn: 'bare hardware',
    details: {
      virtio1: { driver: 'virtio_blk', unit: 1, description: '1/0/0 default/read/poll queues', line: 337 },
      vda: { driver: 'virtio_blk', line: 338 },
      host0: { driver: 'virtio_scsi', line: 340 },
    },
  },
  // L4 Linux version 6.1.0-53-cloud-amd64 ...; L19 Hypervisor detected: VMware
  // L70 Booting paravirtualized kernel on VMware hypervisor; no virtio devices (none given, no initramfs)
  {
    file: 'linux-6.1-tcg-vmware-identity.txt',
    os: 'Linux',
    release: '6.1.0-53-cloud-amd64',
    hypervisors: [{ name: 'VMware', version: null }],
    boots: 1,
    firstLine: 4,
    pv: [],
    virtio: [],
    paravirtKernelOn: 'VMware hypervisor',
  },
];
