// The Xen job as a user runs it: `pvconform run --config ci/xen-nested.yaml` boots the nested
// Xen host, runs linux-ref on it as a PV domU, and exits 0 with the xen.4-host checks passing
// (both halves and xl shutdown) and virtio.4 skipped (Xen offers no virtio devices). This is the
// path through run-cell, which the provider's own test does not take. And Ctrl-C while dom0
// creates the domU leaves no QEMU and no scratch folder behind.
import t from 'tap';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildXenHost } from '../../../vm-images/xen-host/build.ts';
import { execa } from 'execa';
import { BIN, pvconform, readResults, byCheck, scratch, qemuProcessesMentioning } from '../../helpers/cli.ts';

t.setTimeout(900_000);

const CONFIG = new URL('../../../ci/xen-nested.yaml', import.meta.url).pathname;
const xenScratch = () => readdirSync(tmpdir()).filter((d) => d.startsWith('pvconform-xen-host-') || d.startsWith('pvconform-dom0-'));

t.test('pvconform run --config ci/xen-nested.yaml', async (t) => {
  await buildXenHost({ log: (m) => t.comment(m) });
  const out = join(scratch(t), 'run');
  const before = xenScratch();
  const r = await pvconform(['run', '--config', CONFIG, '--out', out]);
  t.equal(r.exitCode, 0, `exit 0 (output:\n${r.all})`);
  const checks = byCheck(readResults(out));
  t.equal(checks['boot/ssh']?.state, 'pass', `boot/ssh: ${checks['boot/ssh']?.message}`);
  for (const id of ['xen.4-host/xenserver-properties', 'xen.4-host/host-write-seen-by-guest', 'xen.4-host/write-outside-home-refused', 'xen.4-host/vif-attached', 'xen.4-host/shutdown-honoured'])
    t.equal(checks[id]?.state, 'pass', `${id}: ${checks[id]?.message}`);
  const virtio = Object.values(checks).filter((c) => c.suite === 'virtio.4');
  t.ok(virtio.length > 0 && virtio.every((c) => c.state === 'skip'), 'virtio.4 is skip on Xen, with the reason');
  t.same(qemuProcessesMentioning(out), [], 'no QEMU left running');
  t.same(xenScratch().filter((d) => !before.includes(d)), [], 'no scratch folder of the nested host left');
  t.match(checks['xen.4-host/vbd-attached'], { state: 'skip', message: /no data disk offered/ }, 'no disk in this matrix: the disk check skips');
  t.match(r.stdout, /6 pass, 0 fail, \d+ skip, 0 error/);
  // The vif left nothing in dom0: no back end, vif or cell folder.
  const inventory = readFileSync(join(out, 'artifacts', 'linux-ref@xen-pv', 'dom0-inventory.txt'), 'utf8');
  t.match(inventory, /^leaks: none$/m, inventory);
});

t.test('Ctrl-C while dom0 creates the domU leaves nothing behind', async (t) => {
  await buildXenHost({ log: (m) => t.comment(m) });
  const out = join(scratch(t), 'run');
  const before = xenScratch();
  const child = execa(BIN, ['run', '--config', CONFIG, '--out', out], { reject: false, all: true, env: { CI: '1' } });
  let seen = '';
  const created = new Promise<boolean>((resolve) => {
    child.all!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/xl create pvc-/.test(seen)) resolve(true);
    });
    child.then(() => resolve(false), () => resolve(false));
  });
  t.ok(await created, 'the run reached xl create');
  t.ok(qemuProcessesMentioning(out).length > 0, "the nested host's QEMU runs");
  child.kill('SIGINT');
  const r = await child;
  t.equal(r.exitCode, 130, `exit 130 (output:\n${r.all})`);
  const end = Date.now() + 5_000;
  while (qemuProcessesMentioning(out).length > 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
  t.same(qemuProcessesMentioning(out), [], 'no QEMU left');
  t.same(xenScratch().filter((d) => !before.includes(d)), [], 'no scratch folder left');
});
