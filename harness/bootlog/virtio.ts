// virtio(4) transports (virtioN) and the class of device each carries, read from whatever the
// guest printed: NetBSD's type line, OpenBSD's PCI product name, a virtio 1.0 product id, or
// failing those the driver that attached to it.
import type { VirtioClass } from '../core/offers.ts';
import { VIRTIO_DEVICE_IDS } from '../core/guest-adapter.ts';
import type { BootOs, Device, VirtioTransport } from './types.ts';

type Kind = VirtioClass | 'other';

function classOfId(id: number): Kind {
  return VIRTIO_DEVICE_IDS[id] ?? 'other';
}

function idOfClass(kind: Kind): number | null {
  const entry = Object.entries(VIRTIO_DEVICE_IDS).find(([, c]) => c === kind);
  return entry ? Number(entry[0]) : null;
}

// NetBSD virtio.c virtio_device_name[] (current lower-case and <= 2018 capitalised spellings are the
// same words), guest-facts.md 8.2. OpenBSD <= 5.x printed the same "Virtio <Name> Device" text.
const TYPE_NAME_IDS: Record<string, number> = {
  network: 1,
  block: 2,
  console: 3,
  entropy: 4,
  'memory balloon': 5,
  'i/o memory': 6,
  'remote processor messaging': 7,
  scsi: 8,
  '9p transport': 9,
};

export interface VirtioTypeLine {
  typeName: string;
  deviceId: number | null;
  revision: string;
}

// NetBSD prints one of three lines for virtioN (guest-facts.md 8.2, virtio.c
// virtio_print_device_type):
//   netbsd-10 rev 1.63.2.6 (2024): "network device (id 1, rev. 0x00)"
//   HEAD rev 1.54 (2022):          "network device (rev. 0x00)"
//   <= 2018 (rev 1.9/1.30):        "Virtio Network Device (rev. 0x00)"
const NETBSD_TYPE = /^(?:Virtio )?(.+?) [Dd]evice \((?:id (\d+), )?rev\. (0x[0-9a-f]{2})\)$/;

export function parseNetbsdVirtioType(text: string): VirtioTypeLine | null {
  const m = NETBSD_TYPE.exec(text);
  if (!m) return null;
  const typeName = m[1];
  const known = TYPE_NAME_IDS[typeName.toLowerCase()];
  const deviceId = m[2] !== undefined ? Number(m[2]) : known ?? null;
  return { typeName, deviceId, revision: m[3] };
}

/** "Block" / "network" / "Virtio Block Device" to a virtio device id, or null. */
export function deviceIdOfTypeName(text: string): number | null {
  const name = text.replace(/^Virtio /, '').replace(/ [Dd]evice$/, '').toLowerCase();
  return TYPE_NAME_IDS[name] ?? null;
}

// OpenBSD pcidevs names for Qumranet's ids (guest-facts.md 7.1): "Virtio Network", "Virtio Storage",
// "Virtio Memory Balloon" (older "Virtio Memory"), "Virtio Console", "Virtio SCSI", "Virtio RNG",
// and "Virtio 1.x <Name>" for the virtio 1.0 ids; "OpenBSD VMM Control" is vmd's vmmci.
const PRODUCT_CLASSES: Array<[RegExp, Kind]> = [
  [/\bVirtio (?:1\.x )?Network\b/, 'net'],
  [/\bVirtio (?:1\.x )?Storage\b/, 'blk'],
  [/\bVirtio (?:1\.x )?Memory\b/, 'balloon'],
  [/\bVirtio (?:1\.x )?Console\b/, 'console'],
  [/\bVirtio (?:1\.x )?SCSI\b/, 'scsi'],
  [/\bVirtio (?:1\.x )?(?:RNG|Entropy)\b/, 'rng'],
  [/\bVMM Control\b/, 'other'],
];

// Transitional (virtio 0.9) PCI product ids have fixed meanings; 1.0 ids are 0x1040 + device id.
const TRANSITIONAL_IDS: Record<number, number> = { 0x1000: 1, 0x1001: 2, 0x1002: 5, 0x1003: 3, 0x1004: 8, 0x1005: 4, 0x1009: 9 };

/** Device id from an unnamed product ("vendor "Qumranet", unknown product 0x1045"). */
export function deviceIdOfProduct(product: string): number | null {
  const m = /\bproduct 0x([0-9a-f]{4})\b/i.exec(product);
  if (!m) return null;
  const id = Number.parseInt(m[1], 16);
  if (id >= 0x1040 && id <= 0x107f) return id - 0x1040;
  return TRANSITIONAL_IDS[id] ?? null;
}

export function classOfProduct(product: string): Kind | null {
  for (const [re, kind] of PRODUCT_CLASSES) if (re.test(product)) return kind;
  return null;
}

// Drivers that attach to a virtio transport, per OS (OpenBSD sys/dev/pv, NetBSD sys/dev/pci, Linux).
const DRIVER_CLASSES: Record<string, Kind> = {
  vio: 'net', vioif: 'net', virtio_net: 'net',
  vioblk: 'blk', ld: 'blk', virtio_blk: 'blk',
  vioscsi: 'scsi', virtio_scsi: 'scsi',
  viocon: 'console', virtio_console: 'console',
  viomb: 'balloon', virtio_balloon: 'balloon',
  viornd: 'rng', virtio_rng: 'rng',
  vmmci: 'other', vio9p: 'other', virtio_9p: 'other', '9pnet_virtio': 'other',
};

export function classOfDriver(driver: string): Kind | null {
  return DRIVER_CLASSES[driver] ?? null;
}

const INTERRUPT = /^(?:msix\b|msi\b|apic \d|irq \d|intx\b)|interrupting at /;

/** Every virtio transport in the tree with its class, child and interrupt line. */
export function virtioTransports(os: BootOs, devices: Device[]): VirtioTransport[] {
  if (os === 'Linux') return linuxTransports(devices);
  return devices
    .filter((d) => d.driver === 'virtio')
    .map((d) => {
      const child = devices.find((c) => c.parent === d.name) ?? null;
      const typeLine = d.messages.map(parseNetbsdVirtioType).find((t) => t !== null) ?? null;
      // What the guest printed about the transport itself wins; the child's driver is the fallback.
      const productClass = d.product ? classOfProduct(d.product) : null;
      const deviceId =
        typeLine?.deviceId ??
        (d.product ? deviceIdOfProduct(d.product) : null) ??
        (productClass ? idOfClass(productClass) : null) ??
        (d.description ? deviceIdOfTypeName(d.description) : null);
      const kind =
        (deviceId !== null ? classOfId(deviceId) : null) ?? productClass ?? (child ? classOfDriver(child.driver) : null);
      return {
        name: d.name,
        class: kind,
        deviceId,
        child: child?.name ?? null,
        driver: child?.driver ?? null,
        interrupt: d.messages.find((m) => INTERRUPT.test(m)) ?? null,
      };
    });
}

// Linux names the virtio device itself (virtio1) with the driver bound to it (virtio_blk).
function linuxTransports(devices: Device[]): VirtioTransport[] {
  return devices
    .filter((d) => /^virtio\d+$/.test(d.name))
    .map((d) => ({
      name: d.name,
      class: classOfDriver(d.driver),
      deviceId: null,
      child: devices.find((c) => c.parent === d.name)?.name ?? null,
      driver: d.driver,
      interrupt: null,
    }));
}
