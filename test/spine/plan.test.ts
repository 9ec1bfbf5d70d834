// config -> plan of cells: expansion, filters, and a hash that names the plan.
import t from 'tap';
import { parseMatrix } from '../../harness/config/load.ts';
import { makePlan, matchesCheck } from '../../harness/plan/plan.ts';
import { UsageError } from '../../harness/core/errors.ts';

const MATRIX = `
hypervisors:
  - {name: qemu-all, provider: qemu}
  - {name: qemu-no-rng, provider: qemu, devices: [net, blk]}
guests:
  - {name: linux-ref}
  - {name: openbsd-7.8}
suites: [virtio.4]
`;

t.test('every guest x hypervisor config is a cell, with the suites checks', async (t) => {
  const plan = await makePlan(parseMatrix(MATRIX, 'm.yaml'), 'm.yaml');
  t.same(plan.cells.map((c) => c.id), ['linux-ref@qemu-all', 'linux-ref@qemu-no-rng', 'openbsd-7.8@qemu-all', 'openbsd-7.8@qemu-no-rng']);
  t.ok(plan.checkIds.includes('virtio.4/entropy'));
  t.ok(plan.checkIds.every((id) => id.startsWith('virtio.4/')));
  t.match(plan.hash, /^[0-9a-f]{12}$/);
});

t.test('filters narrow cells and checks; the hash follows what is run', async (t) => {
  const config = parseMatrix(MATRIX, 'm.yaml');
  const all = await makePlan(config, 'm.yaml');
  const again = await makePlan(config, 'm.yaml');
  t.equal(all.hash, again.hash, 'same config, same hash');
  const narrowed = await makePlan(config, 'm.yaml', { guest: ['linux-ref'], hypervisor: ['qemu-no-rng'], check: ['virtio.4/entropy'] });
  t.same(narrowed.cells.map((c) => c.id), ['linux-ref@qemu-no-rng']);
  t.same(narrowed.checkIds, ['virtio.4/entropy']);
  t.not(narrowed.hash, all.hash);
});

t.test('a filter that names nothing is a usage error with the choices', async (t) => {
  const config = parseMatrix(MATRIX, 'm.yaml');
  await t.rejects(makePlan(config, 'm.yaml', { guest: ['netbsd-10.1'] }), new UsageError('--guest netbsd-10.1: no such guest in m.yaml. Fix: use one of linux-ref, openbsd-7.8'));
  await t.rejects(makePlan(config, 'm.yaml', { check: ['virtio.4/floppy'] }), /--check virtio\.4\/floppy: matches no check/);
  await t.rejects(makePlan(config, 'm.yaml', { suite: ['xen.4'] }), /--suite xen\.4: not in m\.yaml's suites/);
});

t.test('check patterns', async (t) => {
  t.ok(matchesCheck('virtio.4/entropy', 'virtio.4/entropy'));
  t.ok(matchesCheck('virtio.4/entropy', 'virtio.4/*'));
  t.ok(matchesCheck('virtio.4/entropy', 'virtio.4'));
  t.notOk(matchesCheck('virtio.4/entropy', 'virtio.4/disk'));
  t.notOk(matchesCheck('virtio.4/entropy', 'virtio'));
});
