// OpenBSD attach-line formats, one per fact in ../shared/reference/guest-facts.md (section cited
// in each test). The lines are built from the format strings there, not taken from a parser run.
import t from 'tap';
import { findDevice, parseBootLog, pvChildren, virtioChildren } from '../../harness/bootlog/index.ts';
import { openbsdBoot } from './synthetic.ts';

const hypervisorsOf = (pvbusLine: string) =>
  parseBootLog(openbsdBoot('7.6', pvbusLine)).hypervisors.map(({ name, version }) => ({ name, version }));

t.test('pvbus(4) hypervisor list (1.2 pvbus_attach: table order, " %u.%u" for Hyper-V and Xen)', async (t) => {
  t.same(hypervisorsOf('pvbus0 at mainbus0: KVM'), [{ name: 'KVM', version: null }]);
  t.same(hypervisorsOf('pvbus0 at mainbus0: Hyper-V 10.0'), [{ name: 'Hyper-V', version: '10.0' }]);
  t.same(hypervisorsOf('pvbus0 at mainbus0: VMware'), [{ name: 'VMware', version: null }]);
  t.same(hypervisorsOf('pvbus0 at mainbus0: Xen 4.17'), [{ name: 'Xen', version: '4.17' }]);
  t.same(hypervisorsOf('pvbus0 at mainbus0: bhyve'), [{ name: 'bhyve', version: null }]);
  t.same(hypervisorsOf('pvbus0 at mainbus0: OpenBSD'), [{ name: 'OpenBSD', version: null }]);
  // KVM with Hyper-V enlightenments: two signatures on one line.
  t.same(hypervisorsOf('pvbus0 at mainbus0: KVM, Hyper-V 10.0'), [
    { name: 'KVM', version: null },
    { name: 'Hyper-V', version: '10.0' },
  ]);
  t.same(hypervisorsOf('pvbus0 at mainbus0: KVM, Hyper-V 0.0'), [
    { name: 'KVM', version: null },
    { name: 'Hyper-V', version: '0.0' },
  ]);
  // Xen with viridian (1.3): Hyper-V comes first in table order.
  t.same(hypervisorsOf('pvbus0 at mainbus0: Hyper-V 0.0, Xen 4.17'), [
    { name: 'Hyper-V', version: '0.0' },
    { name: 'Xen', version: '4.17' },
  ]);
  // Bare metal: no signature, no pvbus line.
  t.same(parseBootLog(openbsdBoot('7.6', 'cpu0 at mainbus0: apid 0 (boot processor)')).hypervisors, []);
});

t.test('xen(4) attach line (5.3 xen_getfeatures + xen_init_grant_tables + xs_attach)', async (t) => {
  const tree = parseBootLog(
    openbsdBoot(
      '7.6',
      'pvbus0 at mainbus0: Xen 4.17',
      'xen0 at pvbus0: features 0x2705, 64 grant table frames, event channel 3',
      'xbf0 at xen0 backend 0 channel 6: disk', // xbf.c: " backend %d channel %u: %s"
      'scsibus1 at xbf0: 1 targets',
      'sd0 at scsibus1 targ 0 lun 0: <Xen, phy xvda 768, 0000> SCSI3 0/direct fixed',
      'xnf0 at xen0 backend 0 channel 7: address 00:16:3e:12:34:56', // if_xnf.c: " backend %d channel %u: address %s"
      '"vkbd" at xen0: device/vkbd/0 not configured', // xen_attach_print
    ),
  );
  t.same(tree.hypervisors.map((h) => [h.name, h.version]), [['Xen', '4.17']]);
  t.same(tree.xen, { features: '0x2705', featureBits: 0x2705, featureNames: [], grantFrames: 64, eventChannel: 3 });
  t.same(pvChildren(tree).map((d) => `${d.name}@${d.parent}`), ['xen0@pvbus0', 'xbf0@xen0', 'scsibus1@xbf0', 'sd0@scsibus1', 'xnf0@xen0']);
  t.match(findDevice(tree, 'xnf0'), { locator: 'backend 0 channel 7', address: '00:16:3e:12:34:56' });
  t.match(findDevice(tree, 'xbf0'), { locator: 'backend 0 channel 6', description: 'disk' });
  t.same(tree.unconfigured.map((u) => [u.what, u.parent, u.description]), [['vkbd', 'xen0', 'device/vkbd/0']]);
  t.same(virtioChildren(tree), [], 'nothing here is virtio');
});

t.test('xen(4) with XEN_DEBUG prints the features with %b (5.3)', async (t) => {
  const tree = parseBootLog(
    openbsdBoot('7.6', 'pvbus0 at mainbus0: Xen 4.17', 'xen0 at pvbus0: features 0x705<WRITABLE_PT,SUPERVISOR_MODE_KERNEL>, 32 grant table frames, event channel 2'),
  );
  t.match(tree.xen, { featureBits: 0x705, featureNames: ['WRITABLE_PT', 'SUPERVISOR_MODE_KERNEL'], grantFrames: 32, eventChannel: 2 });
});

t.test('hyperv(4) attach line hangs below pvbus (4.5 hv_attach: ": protocol %d.%d, features %#x")', async (t) => {
  const tree = parseBootLog(
    openbsdBoot(
      '7.6',
      'pvbus0 at mainbus0: Hyper-V 10.0',
      'hyperv0 at pvbus0: protocol 4.0, features 0x8',
      'hyperv0: heartbeat, kvp, shutdown, timesync', // hv_attach_icdevs
    ),
  );
  t.same(tree.hypervisors.map((h) => [h.name, h.version]), [['Hyper-V', '10.0']]);
  t.same(pvChildren(tree).map((d) => d.name), ['hyperv0']);
  t.same(findDevice(tree, 'hyperv0')?.messages, ['heartbeat, kvp, shutdown, timesync']);
});

t.test('vmt(4) attaches below pvbus with a bare line (6 vmt_attach prints only "\\n")', async (t) => {
  const tree = parseBootLog(openbsdBoot('7.6', 'pvbus0 at mainbus0: VMware', 'vmt0 at pvbus0'));
  t.same(pvChildren(tree).map((d) => `${d.name}@${d.parent}`), ['vmt0@pvbus0']);
  t.equal(findDevice(tree, 'vmt0')?.description, null);
});

t.test('vio(4): the two attach formats (7.2 if_vio.c vio_attach)', async (t) => {
  const old = parseBootLog(openbsdBoot('7.5', 'vio0 at virtio0: address 52:54:00:12:34:56'));
  t.match(findDevice(old, 'vio0'), { parent: 'virtio0', address: '52:54:00:12:34:56', description: 'address 52:54:00:12:34:56' });
  t.equal(findDevice(old, 'vio0')?.queues, undefined, 'the <= 7.5 form has no queue count');

  const one = parseBootLog(openbsdBoot('7.6', 'vio0 at virtio0: 1 queue, address 52:54:00:12:34:56'));
  t.match(findDevice(one, 'vio0'), { address: '52:54:00:12:34:56', queues: 1 });

  const multi = parseBootLog(openbsdBoot('7.6', 'vio1 at virtio1: 4 queues, address 52:54:00:ab:cd:ef'));
  t.match(findDevice(multi, 'vio1'), { unit: 1, driver: 'vio', address: '52:54:00:ab:cd:ef', queues: 4 });
});

t.test('virtio_pci transports and their children (7.1, 7.2)', async (t) => {
  const tree = parseBootLog(
    openbsdBoot(
      '7.6',
      'pci0 at mainbus0 bus 0',
      'virtio0 at pci0 dev 2 function 0 "Qumranet Virtio Network" rev 0x00',
      'vio0 at virtio0: 1 queue, address 52:54:00:12:34:56',
      'virtio0: msix per-VQ',
      'virtio1 at pci0 dev 3 function 0 "Qumranet Virtio Storage" rev 0x00',
      'vioblk0 at virtio1',
      'scsibus1 at vioblk0: 1 targets',
      'sd0 at scsibus1 targ 0 lun 0: <VirtIO, Block Device, >',
      'virtio1: msix shared',
      'virtio2 at pci0 dev 4 function 0 "Qumranet Virtio Console" rev 0x00',
      'viocon0 at virtio2',
      'virtio2: msix',
      'virtio3 at pci0 dev 5 function 0 "Qumranet Virtio Memory Balloon" rev 0x00',
      'viomb0 at virtio3',
      'virtio3: apic 0 int 11',
      'virtio4 at pci0 dev 6 function 0 "Qumranet Virtio RNG" rev 0x00',
      'viornd0 at virtio4',
      'virtio4: msi',
      'virtio5 at pci0 dev 7 function 0 "Qumranet Virtio SCSI" rev 0x00',
      'vioscsi0 at virtio5: qsize 128',
      'scsibus2 at vioscsi0: 255 targets',
      'virtio5: msix shared',
      'virtio6 at pci0 dev 8 function 0 "OpenBSD VMM Control" rev 0x00',
      'vmmci0 at virtio6',
      'virtio6: irq 9',
      // 1.x ids without a pcidevs name: the device id is product - 0x1040 (7.1)
      'virtio7 at pci0 dev 9 function 0 vendor "Qumranet", unknown product 0x1044 rev 0x01',
      'virtio7: no matching child driver; not configured',
    ),
  );
  t.same(
    tree.virtio.map((v) => [v.name, v.class, v.deviceId, v.child, v.driver, v.interrupt]),
    [
      ['virtio0', 'net', 1, 'vio0', 'vio', 'msix per-VQ'],
      ['virtio1', 'blk', 2, 'vioblk0', 'vioblk', 'msix shared'],
      ['virtio2', 'console', 3, 'viocon0', 'viocon', 'msix'],
      ['virtio3', 'balloon', 5, 'viomb0', 'viomb', 'apic 0 int 11'],
      ['virtio4', 'rng', 4, 'viornd0', 'viornd', 'msi'],
      ['virtio5', 'scsi', 8, 'vioscsi0', 'vioscsi', 'msix shared'],
      ['virtio6', 'other', null, 'vmmci0', 'vmmci', 'irq 9'],
      ['virtio7', 'rng', 4, null, null, null],
    ],
  );
  t.same(
    virtioChildren(tree).map((d) => d.name),
    ['vio0', 'vioblk0', 'scsibus1', 'sd0', 'viocon0', 'viomb0', 'viornd0', 'vioscsi0', 'scsibus2', 'vmmci0'],
  );
  t.match(findDevice(tree, 'virtio1'), { locator: 'dev 3 function 0', product: 'Qumranet Virtio Storage', parent: 'pci0' });
  t.equal(findDevice(tree, 'vioscsi0')?.description, 'qsize 128');
  t.same(findDevice(tree, 'virtio7')?.messages, ['no matching child driver; not configured']);
});

t.test('a virtio transport with an unnamed product falls back to its child driver for the class', async (t) => {
  // 0x10ff is neither a transitional id nor in the 1.x range, so only the child tells.
  const tree = parseBootLog(
    openbsdBoot('7.6', 'virtio0 at pci0 dev 2 function 0 vendor "Qumranet", unknown product 0x10ff rev 0x00', 'viornd0 at virtio0'),
  );
  t.same(tree.virtio.map((v) => [v.class, v.deviceId, v.child]), [['rng', null, 'viornd0']]);
});
