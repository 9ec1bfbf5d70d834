// Pure parts of the speed work: the default --jobs, and the parser of the one-command facts.
import t from 'tap';
import { defaultJobs } from '../../harness/run/jobs.ts';
import { parseLinuxFacts, DMESG_SECTION } from '../../suites/probe/linux-facts.ts';
import type { HypervisorConfig } from '../../harness/config/schema.ts';
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';

const qemu = (memoryMiB: number): { hypervisor: HypervisorConfig } => ({
  hypervisor: { name: 'q', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB, cpus: 1, devices: [], extraKernelArgs: '' } as QemuConfig,
});

t.test('default --jobs: one per core, bounded by memory and by the cells', async (t) => {
  t.equal(defaultJobs([qemu(512), qemu(512), qemu(512), qemu(512)], 2, 20_000).jobs, 2, 'two cores, plenty of memory: 2');
  t.equal(defaultJobs([qemu(512)], 8, 20_000).jobs, 1, 'never more than the cells');
  t.equal(defaultJobs([qemu(4096), qemu(4096), qemu(4096)], 8, 10_000).jobs, 2, '10 GiB free, 4.25 GiB a cell after a 1 GiB reserve: 2');
  t.equal(defaultJobs([qemu(4096), qemu(4096)], 8, 2_000).jobs, 1, 'too little memory still runs one');
});

t.test('the facts command output parses into devices, bindings and details', async (t) => {
  const out = [
    'dev virtio0 0x0001 0110010111',
    'dev virtio1 0x0002 -',
    'dev virtio2 0x0008 01',
    'dev virtio3 0x0004 01',
    'bind virtio0 virtio_net',
    'bind virtio1 virtio_blk',
    'bind virtio2 virtio_scsi',
    'block virtio1 vda 131072',
    'net virtio0 eth0 52:54:00:12:34:56',
    'scsihost virtio2 host0 virtio_scsi',
    'rng virtio_rng.0',
    'node hwrng',
    DMESG_SECTION,
    '[    0.000000] Linux version 6.1.0',
    '',
  ].join('\n');
  const f = parseLinuxFacts(out);
  t.same(f.virtio.devices.map((d) => [d.name, d.class, d.driver]), [['virtio0', 'net', 'virtio_net'], ['virtio1', 'blk', 'virtio_blk'], ['virtio2', 'scsi', 'virtio_scsi'], ['virtio3', 'rng', null]]);
  t.same(f.virtio.blocks.get('virtio1'), [{ disk: 'vda', sectors: 131072 }]);
  t.same(f.virtio.nets.get('virtio0'), [{ ifname: 'eth0', mac: '52:54:00:12:34:56' }]);
  t.same(f.virtio.scsiHosts.get('virtio2'), [{ host: 'host0', procName: 'virtio_scsi' }]);
  t.equal(f.virtio.features.get('virtio0'), '0110010111');
  t.notOk(f.virtio.features.has('virtio1'), 'no features file: none recorded');
  t.same(f.virtio.rngAvailable, ['virtio_rng.0']);
  t.ok(f.virtio.nodes.has('hwrng') && !f.virtio.nodes.has('hvc0'));
  t.equal(f.bootMessages, '[    0.000000] Linux version 6.1.0\n');
  t.same(parseLinuxFacts('rng -\n').virtio.rngAvailable, [], 'no RNG: empty');
});
