// Which checks share a guest life, and whether a cell saves a fresh state at all: a cell whose
// second suite cannot run on its hypervisor (virtio checks on Xen, say) saves nothing.
import t from 'tap';
import type { Check } from '../../harness/core/checks.ts';
import { guestLives, livesThatMayRun } from '../../harness/run/suite-lives.ts';

const citation = { kind: 'source', fact: 'test', where: 'test/spine' } as const;
const check = (suite: string, requires: Check['requires'] = {}, os = ['linux']): Check => ({
  id: `${suite}/c`, suite, title: 'c', citation, os, requires, run: async () => ({ state: 'pass', message: '' }),
});
const virtio = check('virtio.4', { virtio: ['blk'] });
const xen = check('xen.4-host', { families: ['xen'], kvStore: 'xenstore', hostKv: true });
const hyperv = check('hyperv.4', { kvStore: 'hyperv-kvp' });
const bsdOnly = check('pvbus.4', {}, ['openbsd']);

t.test('per suite: one life per suite, in plan order; per cell: one life', async (t) => {
  t.same(guestLives([virtio, xen, hyperv], 'per-suite').map((l) => l.suite), ['virtio.4', 'xen.4-host', 'hyperv.4']);
  t.same(guestLives([virtio, xen], 'per-cell').map((l) => l.suite), ['*']);
  t.same(guestLives([], 'per-cell'), []);
  t.equal(guestLives([check('a', { coldBoot: true }), check('b')], 'per-suite')[0].coldBoot, true);
});

t.test('lives that may run, from what is known before boot', async (t) => {
  const lives = guestLives([virtio, xen, hyperv, bsdOnly], 'per-suite');
  t.equal(livesThatMayRun(lives, 'linux', {}), 3, 'nothing known: every life for this OS may run');
  t.equal(livesThatMayRun(lives, 'linux', { family: 'xen', virtio: [], kvStore: 'xenstore' }), 1, 'on Xen only xen.4-host may run: no fresh state is worth saving');
  t.equal(livesThatMayRun(lives, 'linux', { family: 'qemu', virtio: ['blk', 'net'], kvStore: null }), 1, 'on QEMU with blk: only virtio.4');
  t.equal(livesThatMayRun(lives, 'linux', { family: 'qemu', virtio: ['net'], kvStore: null }), 0, 'on QEMU without blk: none');
  t.equal(livesThatMayRun(lives, 'openbsd', {}), 1, 'an OS filters too');
});
