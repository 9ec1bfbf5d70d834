// The QEMU argv for a cell: withheld devices are really absent, nothing writes the base image,
// and slirp is asked for port 0.
import t from 'tap';
import { qemuArgs, macFor, type QemuPaths } from '../../harness/providers/qemu/command-line.ts';
import type { GuestImage } from '../../harness/images/guest-image.ts';
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';
import { parseUsernetHostPort } from '../../harness/qemu/qmp.ts';

const image: GuestImage = {
  name: 'linux-ref', os: 'linux', release: 'x',
  boot: { kind: 'kernel', kernel: '/img/vmlinuz', initrd: '/img/initrd', append: 'console=ttyS0' },
  ssh: { user: 'root', privateKeyPath: '/k', hostKey: 'ssh-ed25519 AAAA' },
  fallbackNic: 'vmxnet3',
};
const paths: QemuPaths = { consoleLog: '/a/console.log', qmpSocket: '/w/qmp.sock', systemOverlay: null, blkOverlay: '/w/blk.qcow2', scsiOverlay: '/w/scsi.qcow2', virtconsoleLog: '/a/vc.log' };
const config = (devices: QemuConfig['devices']): QemuConfig => ({ name: 'q', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices, extraKernelArgs: '' });

t.test('every offered class has its device; a withheld one has none', async (t) => {
  const all = qemuArgs(image, config(['net', 'blk', 'scsi', 'console', 'balloon', 'rng']), paths, { accel: 'tcg', mac: '52:54:00:00:00:01', extraKernelArgs: '' }).join(' ');
  for (const dev of ['virtio-net-pci', 'virtio-blk-pci', 'virtio-scsi-pci', 'virtconsole', 'virtio-balloon-pci', 'virtio-rng-pci']) t.match(all, dev);
  const some = qemuArgs(image, config(['blk']), paths, { accel: 'tcg', mac: '52:54:00:00:00:01', extraKernelArgs: '' }).join(' ');
  t.match(some, 'virtio-blk-pci');
  for (const dev of ['virtio-net-pci', 'virtio-scsi-pci', 'virtconsole', 'virtio-balloon-pci', 'virtio-rng-pci']) t.notMatch(some, dev);
  t.match(some, 'vmxnet3,netdev=n0', 'the harness still gets a (non-virtio) NIC for SSH');
});

t.test('disks are overlays; the base image is never on the command line', async (t) => {
  const disk: GuestImage = { ...image, boot: { kind: 'disk', disk: '/img/base.qcow2', format: 'qcow2' } };
  const args = qemuArgs(disk, config(['net', 'blk']), { ...paths, systemOverlay: '/w/system.qcow2' }, { accel: 'kvm', mac: '52:54:00:00:00:01', extraKernelArgs: '' }).join(' ');
  t.match(args, 'file=/w/system.qcow2');
  t.notMatch(args, '/img/base.qcow2');
  t.match(args, '-accel kvm');
});

t.test('port 0 forwarding, and reading back the port slirp chose', async (t) => {
  const args = qemuArgs(image, config(['net']), paths, { accel: 'tcg', mac: '52:54:00:00:00:01', extraKernelArgs: 'pvconform.nomod=virtio_rng' });
  t.ok(args.some((a) => a.includes('hostfwd=tcp:127.0.0.1:0-:22')));
  t.ok(args[args.indexOf('-append') + 1].endsWith('pvconform.nomod=virtio_rng'));
  // `info usernet` as QEMU 7.2 prints it
  const usernet = 'Hub -1 (n0):\r\n  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\r\n  TCP[HOST_FORWARD]  13       127.0.0.1 38725       10.0.2.15    22     0     0\r\n';
  t.equal(parseUsernetHostPort(usernet, 22), 38725);
  t.equal(parseUsernetHostPort(usernet, 80), null);
});

t.test('MACs are stable per cell and locally administered by QEMU convention', async (t) => {
  t.equal(macFor('a@b'), macFor('a@b'));
  t.not(macFor('a@b'), macFor('a@c'));
  t.match(macFor('x'), /^52:54:00(:[0-9a-f]{2}){3}$/);
});
