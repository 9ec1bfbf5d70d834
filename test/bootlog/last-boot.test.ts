// A buffer holding several boots yields only the last; a buffer with no banner still parses when
// its lines show the OS; text that is no boot log is refused.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import t from 'tap';
import { findDevice, parseBootLog, pvChildren, UnrecognisedBootLog } from '../../harness/bootlog/index.ts';
import { linuxBoot, netbsdBoot, openbsdBoot } from './synthetic.ts';

const SHARED_DIR = resolve(import.meta.dirname, '../../../shared/fixtures/dmesg');
const body = (file: string) => readFileSync(resolve(SHARED_DIR, file), 'utf8').split('\n').slice(3).join('\n');

t.test('two real OpenBSD boots in one buffer: the later one counts', async (t) => {
  // openbsd-6.0-kvm-1 (KVM, viomb0, vio0 at virtio0) followed by openbsd-6.7-vmm-1 (vmd, vmmci0, vio0 at virtio1).
  const first = body('openbsd-6.0-kvm-1.txt');
  const text = `${first}\nsyncing disks... done\nrebooting...\n${body('openbsd-6.7-vmm-1.txt')}`;
  const tree = parseBootLog(text);
  t.equal(tree.bootsInBuffer, 2);
  t.equal(tree.release, '6.7');
  t.same(tree.hypervisors.map((h) => h.name), ['OpenBSD']);
  t.equal(tree.firstLine, first.split('\n').length + 3, 'starts at the second banner');
  t.equal(findDevice(tree, 'viomb0'), undefined, 'the first boot\'s balloon is gone');
  t.equal(findDevice(tree, 'vio0')?.parent, 'virtio1', 'vio0 as the second boot attached it');
  t.ok(findDevice(tree, 'vmmci0'));
  t.ok(tree.devices.every((d) => d.line >= tree.firstLine), 'no device from before the last banner');
});

t.test('NetBSD on Xen, then the same disk booted on KVM: no Xen facts survive', async (t) => {
  const xen = netbsdBoot(
    '10.1',
    'hypervisor0 at mainbus0: Xen version 4.17',
    'xenbus0 at hypervisor0: Xen Virtual Bus Interface',
    'xenbus0: using event channel 5',
    'xbd0 at xenbus0 id 768: Xen Virtual Block Device Interface',
  );
  const kvm = netbsdBoot('10.1', 'virtio0 at pci0 dev 3 function 0', 'virtio0: block device (id 2, rev. 0x00)', 'ld0 at virtio0: features: 0x0');
  const tree = parseBootLog(`${xen}\n${kvm}`);
  t.equal(tree.bootsInBuffer, 2);
  t.same(tree.hypervisors, []);
  t.equal(tree.xenbus, undefined);
  t.same(pvChildren(tree).map((d) => d.name), ['ld0']);
});

t.test('a console log where OpenBSD was replaced by Linux: the OS of the last boot wins', async (t) => {
  const tree = parseBootLog(`${openbsdBoot('7.6', 'pvbus0 at mainbus0: KVM')}\n${linuxBoot('6.1.0-18-amd64', 'Hypervisor detected: KVM')}`);
  t.equal(tree.os, 'Linux');
  t.equal(tree.bootsInBuffer, 2);
});

t.test('a fragment with no banner (the start scrolled out of msgbuf)', async (t) => {
  const tree = parseBootLog(['vio0 at virtio0: address 52:54:00:12:34:56', 'pvbus0 at mainbus0: KVM'].join('\n'));
  t.equal(tree.os, 'OpenBSD', 'pvbus0 at mainbus0 is OpenBSD-only');
  t.equal(tree.release, null);
  t.equal(tree.banner, null);
  t.equal(tree.bootsInBuffer, 1);
  t.same(tree.hypervisors.map((h) => h.name), ['KVM']);
  t.equal(parseBootLog('mainbus0 (root)\nxenbus0 at hypervisor0: Xen Virtual Bus Interface').os, 'NetBSD');
  t.equal(parseBootLog('[    1.0] virtio_blk virtio1: [vda] 2048 512-byte logical blocks').os, 'Linux');
});

t.test('syslog-wrapped OpenBSD messages (/var/log/messages)', async (t) => {
  const text = [
    'Jan  6 10:00:00 guest /bsd: OpenBSD 7.6 (GENERIC.MP) #1: Mon Jan  6 00:00:00 MST 2025',
    'Jan  6 10:00:00 guest /bsd: pvbus0 at mainbus0: KVM',
    'Jan  6 10:00:00 guest /bsd: pvclock0 at pvbus0',
  ].join('\n');
  const tree = parseBootLog(text);
  t.equal(tree.release, '7.6');
  t.same(pvChildren(tree).map((d) => d.name), ['pvclock0']);
});

t.test('text that is no boot log is refused', async (t) => {
  t.throws(() => parseBootLog('{"name": "pvconform"}\n'), UnrecognisedBootLog);
  t.throws(() => parseBootLog(''), UnrecognisedBootLog);
});
