// NetBSD attach-line formats from ../shared/reference/guest-facts.md section 8 (sub-fact cited in
// each test). Lines are built from the format strings there.
import t from 'tap';
import { findDevice, parseBootLog, pvChildren, virtioChildren } from '../../harness/bootlog/index.ts';
import { netbsdBoot } from './synthetic.ts';

t.test('the three virtio type-line formats (8.2 virtio_print_device_type)', async (t) => {
  const tree = parseBootLog(
    netbsdBoot(
      '10.1',
      'pci0 at mainbus0 bus 0: configuration mode 1',
      // netbsd-10 rev 1.63.2.6: "%s device (id %d, rev. 0x%02x)"
      'virtio0 at pci0 dev 3 function 0',
      'virtio0: network device (id 1, rev. 0x00)',
      'vioif0 at virtio0: features: 0x110fc0020<INDIRECT_DESC,NOTIFY_ON_EMPTY,STATUS,MAC>',
      'vioif0: Ethernet address 52:54:00:12:34:56', // if_vioif.c "Ethernet address %s"
      'virtio0: config interrupting at msix0 vec 0',
      'virtio0: queues interrupting at msix0 vec 1',
      // HEAD rev 1.54 (2022): "%s device (rev. 0x%02x)"
      'virtio1 at pci0 dev 4 function 0',
      'virtio1: block device (rev. 0x00)',
      'ld0 at virtio1: features: 0x10000a54<INDIRECT_DESC,FLUSH,BLK_SIZE,SEG_MAX>',
      'virtio1: interrupting at ioapic0 pin 11',
      // <= 2018 (rev 1.9/1.30): "Virtio %s Device (rev. 0x%02x)", capitalised names
      'virtio2 at pci0 dev 5 function 0',
      'virtio2: Virtio Entropy Device (rev. 0x00)',
      'viornd0 at virtio2: Features: 0x0',
      'virtio3 at pci0 dev 6 function 0',
      'virtio3: Virtio Memory Balloon Device (rev. 0x00)',
      'viomb0 at virtio3: features: 0x0',
      // vioscsi rev 1.29: features line, then the geometry line
      'virtio4 at pci0 dev 7 function 0',
      'virtio4: SCSI device (id 8, rev. 0x00)',
      'vioscsi0 at virtio4: features: 0x0',
      'vioscsi0: cmd_per_lun 128 qsize 128 seg_max 126 max_target 255 max_lun 16383',
      // viocon (netbsd-10 rev 1.5.4.3): the features line only
      'virtio5 at pci0 dev 8 function 0',
      'virtio5: console device (id 3, rev. 0x01)',
      'viocon0 at virtio5: features: 0x0',
      // a type no driver claims
      'virtio6 at pci0 dev 9 function 0',
      'virtio6: 9P transport device (id 9, rev. 0x00)',
      'virtio6: no matching child driver; not configured',
    ),
  );
  t.same(
    tree.virtio.map((v) => [v.name, v.class, v.deviceId, v.child, v.interrupt]),
    [
      ['virtio0', 'net', 1, 'vioif0', 'config interrupting at msix0 vec 0'],
      ['virtio1', 'blk', 2, 'ld0', 'interrupting at ioapic0 pin 11'],
      ['virtio2', 'rng', 4, 'viornd0', null],
      ['virtio3', 'balloon', 5, 'viomb0', null],
      ['virtio4', 'scsi', 8, 'vioscsi0', null],
      ['virtio5', 'console', 3, 'viocon0', null],
      ['virtio6', 'other', 9, null, null],
    ],
  );
  t.match(findDevice(tree, 'vioif0'), {
    parent: 'virtio0',
    features: '0x110fc0020<INDIRECT_DESC,NOTIFY_ON_EMPTY,STATUS,MAC>',
    address: '52:54:00:12:34:56',
  });
  t.equal(findDevice(tree, 'viornd0')?.features, '0x0', '2016-era ": Features: %s" spelling');
  t.equal(findDevice(tree, 'virtio0')?.locator, 'dev 3 function 0');
  t.same(findDevice(tree, 'vioscsi0')?.messages, ['cmd_per_lun 128 qsize 128 seg_max 126 max_target 255 max_lun 16383']);
  t.same(virtioChildren(tree).map((d) => d.name), ['vioif0', 'ld0', 'viornd0', 'viomb0', 'vioscsi0', 'viocon0']);
  t.same(tree.hypervisors, [], 'NetBSD prints no hypervisor list outside Xen');
});

t.test('hypervisor(4), xenbus(4) and its children (8.1)', async (t) => {
  const tree = parseBootLog(
    netbsdBoot(
      '10.1',
      'hypervisor0 at mainbus0: Xen version 4.17', // hypervisor_attach ": Xen version %d.%d"
      'xenbus0 at hypervisor0: Xen Virtual Bus Interface', // xenbus_attach
      'xenbus0: using event channel 5', // xb_init_comms, aprint_verbose_dev
      'xbd0 at xenbus0 id 768: Xen Virtual Block Device Interface', // xenbus_print " id %d"
      'xennet0 at xenbus0 id 0: Xen Virtual Network Interface',
      'xennet0: MAC address 00:16:3e:aa:bb:cc', // "MAC address %s"
      'balloon0 at xenbus0 id 0',
    ),
  );
  t.same(tree.hypervisors.map((h) => [h.name, h.version]), [['Xen', '4.17']]);
  t.same(tree.xenbus, { eventChannel: 5 });
  t.same(
    pvChildren(tree).map((d) => `${d.name}@${d.parent}`),
    ['xenbus0@hypervisor0', 'xbd0@xenbus0', 'xennet0@xenbus0', 'balloon0@xenbus0'],
  );
  t.match(findDevice(tree, 'xbd0'), { locator: 'id 768', description: 'Xen Virtual Block Device Interface' });
  t.equal(findDevice(tree, 'xennet0')?.address, '00:16:3e:aa:bb:cc');
  t.equal(tree.xen, undefined, 'xen0 facts are OpenBSD-only');
});

t.test('the 2006 xenbus printed "using event channel" without the device prefix (8.1)', async (t) => {
  const tree = parseBootLog(
    netbsdBoot('4.0', 'hypervisor0 at mainbus0: Xen version 3.0', 'xenbus0 at hypervisor0: Xen Virtual Bus Interface', 'using event channel 3'),
  );
  t.same(tree.xenbus, { eventChannel: 3 });
});

t.test('no xenbus line, no xenbus facts', async (t) => {
  const tree = parseBootLog(netbsdBoot('10.1', 'hypervisor0 at mainbus0: Xen version 4.17', 'xenbus0 at hypervisor0: Xen Virtual Bus Interface'));
  t.equal(tree.xenbus, undefined, 'the event channel line is aprint_verbose: a console log of a boot without -v lacks it');
});
