// The autoconf line grammar on real lines from the shared fixtures (file:line cited).
import t from 'tap';
import { parseAutoconfLine } from '../../harness/bootlog/attach-line.ts';

t.test('attach lines', async (t) => {
  // netbsd-9.1_STABLE-bhyve-1.txt:24
  t.same(parseAutoconfLine('mainbus0 (root)'), { kind: 'attach', name: 'mainbus0', driver: 'mainbus', unit: 0, parent: 'root', locator: null, description: null });
  // openbsd-6.7-vmm-1.txt:29 (masked MAC as published)
  t.match(parseAutoconfLine('vio0 at virtio1: address xx:xx:xx:xx:xx:xx'), { name: 'vio0', parent: 'virtio1', locator: null, description: 'address xx:xx:xx:xx:xx:xx' });
  // openbsd-6.7-vmm-1.txt:34
  t.match(parseAutoconfLine('sd0 at scsibus1 targ 0 lun 0: <VirtIO, Block Device, >'), { locator: 'targ 0 lun 0', description: '<VirtIO, Block Device, >' });
  // netbsd-9.1_STABLE-bhyve-1.txt:56: colons inside the parenthesised locator are not the separator
  t.match(parseAutoconfLine('pckbc1 at acpi0 (KBD, PNP0303) (kbd port): io 0x60,0x64 irq 1'), { locator: '(KBD, PNP0303) (kbd port)', description: 'io 0x60,0x64 irq 1' });
  // netbsd-9.1_STABLE-bhyve-1.txt:102: the description holds more colons and " at "
  t.match(parseAutoconfLine('dk0 at ld0: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", 262144 blocks at 64, type: msdos'), {
    name: 'dk0',
    parent: 'ld0',
    locator: null,
    description: '"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", 262144 blocks at 64, type: msdos',
  });
  // openbsd-4.8-kvm-1.txt:28: the PCI print before quoted product names
  t.match(parseAutoconfLine('pchb0 at pci0 dev 0 function 0 Intel 82441FX rev 0x02'), { locator: 'dev 0 function 0', product: 'Intel 82441FX' });
  // openbsd-6.7-kvm-3.txt:47
  t.match(parseAutoconfLine('virtio0 at pci0 dev 2 function 0 vendor "Qumranet", unknown product 0x1045 rev 0x01'), {
    locator: 'dev 2 function 0',
    product: 'vendor "Qumranet", unknown product 0x1045',
    description: null,
  });
  // openbsd-6.2-kvm-3.txt:89: a USB locator keeps its words, the product is picked out
  t.match(parseAutoconfLine('uhub0 at usb0 configuration 1 interface 0 "Intel UHCI root hub" rev 1.00/1.00 addr 1'), {
    locator: 'configuration 1 interface 0 "Intel UHCI root hub" rev 1.00/1.00 addr 1',
    product: 'Intel UHCI root hub',
  });
  // openbsd-6.6-kvm-1.txt:162
  t.match(parseAutoconfLine('acpipci0 at acpi0 PCI0: 0x00000000 0x00000011 0x00000001'), { locator: 'PCI0', description: '0x00000000 0x00000011 0x00000001' });
});

t.test('not configured lines', async (t) => {
  // openbsd-6.0-current-xen-hvm-1.txt:487
  t.same(parseAutoconfLine('"vfb" at xen0: device/vfb/0 not configured'), { kind: 'unconfigured', what: 'vfb', parent: 'xen0', locator: null, description: 'device/vfb/0' });
  // openbsd-4.8-kvm-1.txt:19
  t.match(parseAutoconfLine('acpi at bios0 function 0x0 not configured'), { kind: 'unconfigured', what: 'acpi', parent: 'bios0', locator: 'function 0x0' });
  // netbsd-9.1_STABLE-bhyve-1.txt:94
  t.match(parseAutoconfLine('vendor 8086 product 1e31 (USB serial bus, xHCI) at pci0 dev 30 function 0 not configured'), {
    kind: 'unconfigured',
    what: 'vendor 8086 product 1e31 (USB serial bus, xHCI)',
    parent: 'pci0',
    locator: 'dev 30 function 0',
  });
  // openbsd-4.8-kvm-1.txt:43
  t.match(parseAutoconfLine('Qumranet Virtio Memory rev 0x00 at pci0 dev 4 function 0 not configured'), { kind: 'unconfigured', parent: 'pci0' });
});

t.test('messages and lines that are neither', async (t) => {
  // openbsd-6.2-vmware-1.txt:61: " at " inside a device message is not an attach
  t.same(parseAutoconfLine('mpi0: target 0 Sync at 160MHz width 16bit offset 127 QAS 1 DT 1 IU 1'), {
    kind: 'message',
    name: 'mpi0',
    text: 'target 0 Sync at 160MHz width 16bit offset 127 QAS 1 DT 1 IU 1',
  });
  // openbsd-6.4-kvm-5.txt:71
  t.match(parseAutoconfLine('virtio3: no matching child driver; not configured'), { kind: 'message', name: 'virtio3' });
  // openbsd-6.2-kvm-3.txt:58, openbsd-5.9-beta-xen-hvm-1.txt:5, :34
  t.equal(parseAutoconfLine('cd0(pciide0:1:0): using PIO mode 4, DMA mode 2'), null);
  t.equal(parseAutoconfLine('entry point at 0x1001000 [7205c766, 34000004, 24448b12, e060a304]'), null);
  t.equal(parseAutoconfLine('mtrr: Pentium Pro MTRR support, 8 var ranges, 88 fixed ranges'), null);
});
