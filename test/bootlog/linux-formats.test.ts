// What a Linux boot log shows (harness/bootlog/linux.ts cites each source): the hypervisor line,
// the paravirt line, the Xen and Hyper-V version lines, and the virtio/Xen device lines.
import t from 'tap';
import { findDevice, parseBootLog, pvChildren, virtioChildren } from '../../harness/bootlog/index.ts';
import { linuxBoot } from './synthetic.ts';

const hv = (text: string) => parseBootLog(text).hypervisors.map(({ name, version, raw }) => ({ name, version, raw }));

t.test('KVM (cpu/hypervisor.c "Hypervisor detected: %s", paravirt.c "Booting paravirtualized kernel on %s")', async (t) => {
  const tree = parseBootLog(linuxBoot('6.1.0-18-amd64', 'Hypervisor detected: KVM', 'Booting paravirtualized kernel on KVM'));
  t.equal(tree.os, 'Linux');
  t.equal(tree.release, '6.1.0-18-amd64');
  t.same(tree.releaseNumber, { major: 6, minor: 1 });
  t.same(hv(linuxBoot('6.1.0-18-amd64', 'Hypervisor detected: KVM')), [{ name: 'KVM', version: null, raw: 'KVM' }]);
  t.equal(tree.paravirtKernelOn, 'KVM');
});

t.test('Xen HVM with its version (enlighten_hvm.c init_hvm_pv_info "Xen version %d.%d.")', async (t) => {
  t.same(hv(linuxBoot('6.1.0-18-amd64', 'Hypervisor detected: Xen HVM', 'Xen version 4.17.')), [
    { name: 'Xen', version: '4.17', raw: 'Xen HVM' },
  ]);
});

t.test('Xen PV with a blkfront disk ("blkfront: %s: ...")', async (t) => {
  const tree = parseBootLog(
    linuxBoot(
      '6.1.0-18-cloud-amd64',
      'Hypervisor detected: Xen PV',
      'Booting paravirtualized kernel on Xen',
      'blkfront: xvda: flush diskcache: enabled; persistent grants: enabled; indirect descriptors: enabled; bounce buffer: enabled',
    ),
  );
  t.same(tree.hypervisors.map((h) => [h.name, h.version]), [['Xen', null]]);
  t.same(pvChildren(tree).map((d) => `${d.name}@${d.parent}`), ['xvda@xen']);
  t.equal(findDevice(tree, 'xvda')?.driver, 'xen-blkfront');
});

t.test('Hyper-V host version, in each kernel era\'s format', async (t) => {
  const detected = 'Hypervisor detected: Microsoft Hyper-V';
  // mshyperv.c 2017-2023: "Hyper-V Host Build:%d-%d.%d-%d-%d.%d" (build-major.minor-sp-branch.number)
  t.same(hv(linuxBoot('5.10.0', detected, 'Hyper-V Host Build:20348-10.0-1-0.1787')), [
    { name: 'Hyper-V', version: '10.0', raw: 'Microsoft Hyper-V' },
  ]);
  // vmbus connection.c: the same, then "; Vmbus version:%d.%d"
  t.same(hv(linuxBoot('4.4.0', detected, 'Hyper-V Host Build:14393-10.0-0-0.0; Vmbus version:4.0'))[0].version, '10.0');
  // hv_common.c: "Hyper-V: Host Build %d.%d.%d.%d-%d-%d" (major.minor.build.number-sp-branch)
  t.same(hv(linuxBoot('6.6.0', detected, 'Hyper-V: Host Build 10.0.20348.1787-1-0'))[0].version, '10.0');
  // later: "Hyper-V: Hypervisor Build ..."
  t.same(hv(linuxBoot('6.12.0', detected, 'Hyper-V: Hypervisor Build 10.0.26100.1-0-0'))[0].version, '10.0');
});

t.test('no "Hypervisor detected" line under TCG: no hypervisors (lab.md section 4)', async (t) => {
  const tree = parseBootLog(linuxBoot('6.1.0-18-amd64', 'Booting paravirtualized kernel on bare hardware'));
  t.same(tree.hypervisors, []);
  t.equal(tree.paravirtKernelOn, 'bare hardware');
});

t.test('virtio device lines (dev_printk "<driver> <device>: ", netdev_printk adds the interface)', async (t) => {
  const tree = parseBootLog(
    linuxBoot(
      '6.1.0-18-amd64',
      'virtio_blk virtio1: 1/0/0 default/read/poll queues',
      'virtio_blk virtio1: [vda] 131072 512-byte logical blocks (67.1 MB/64.0 MiB)',
      'virtio_net virtio0 enp1s0: renamed from eth0',
      'scsi host0: Virtio SCSI HBA',
      'scsi 0:0:0:0: Direct-Access     QEMU     QEMU HARDDISK    2.5+ PQ: 0 ANSI: 5',
      'sd 0:0:0:0: [sda] 65536 512-byte logical blocks: (33.6 MB/32.0 MiB)',
      'sd 0:0:0:0: [sda] Attached SCSI disk',
    ),
  );
  t.same(
    tree.devices.map((d) => `${d.name}@${d.parent}:${d.driver}`),
    ['virtio1@virtio:virtio_blk', 'vda@virtio1:virtio_blk', 'virtio0@virtio:virtio_net', 'enp1s0@virtio0:virtio_net', 'host0@virtio:virtio_scsi', 'sda@host0:sd'],
  );
  t.same(findDevice(tree, 'virtio1')?.messages, ['[vda] 131072 512-byte logical blocks (67.1 MB/64.0 MiB)']);
  t.same(tree.virtio.map((v) => [v.name, v.class, v.child, v.driver]), [
    ['virtio1', 'blk', 'vda', 'virtio_blk'],
    ['virtio0', 'net', 'enp1s0', 'virtio_net'],
  ]);
  t.same(virtioChildren(tree).map((d) => d.name), tree.devices.map((d) => d.name), 'all of them sit on the virtio bus');
  t.equal(findDevice(tree, 'vda')?.unit, null, 'vda carries no unit number');
});

t.test('wrappers are stripped: <priority>, [timestamp] and syslog prefixes', async (t) => {
  const text = [
    '<5>[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP',
    '<6>[    0.000000] Hypervisor detected: KVM',
  ].join('\n');
  t.same(parseBootLog(text).hypervisors.map((h) => h.name), ['KVM']);
  const syslog = [
    'Jan  2 03:04:05 guest kernel: Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP',
    'Jan  2 03:04:05 guest kernel: Hypervisor detected: Xen HVM',
  ].join('\n');
  t.same(parseBootLog(syslog).hypervisors.map((h) => h.raw), ['Xen HVM']);
});
