// Checks must be able to fail, and must not fail for the wrong reason:
// - a withheld device is skip (not offered), not pass and not fail;
// - an offered device the guest has no driver for is fail;
// - a guest that never comes up is a boot fail with the console tail, promptly (not a hang, not error).
import t from 'tap';
import { join } from 'node:path';
import { pvconform, readResults, byCheck, scratch, writeMatrix, qemuProcessesMentioning } from '../helpers/cli.ts';

t.setTimeout(600_000);

const MATRIX = `
hypervisors:
  - name: no-rng
    provider: qemu
    accel: tcg
    devices: [net, blk, scsi, console, balloon]
  - name: all
    provider: qemu
    accel: tcg
guests:
  - name: no-rng-driver
    image: linux-ref
    withoutDrivers: [virtio_rng]
suites: [virtio.4]
`;

t.test('withheld device is skip; offered device without a driver is fail', async (t) => {
  const dir = scratch(t);
  const out = join(dir, 'run');
  // Two cells at once: each QEMU picks its own forwarded port, so they do not race.
  const r = await pvconform(['run', '--config', writeMatrix(dir, 'm.yaml', MATRIX), '--out', out, '--jobs', '2']);
  t.equal(r.exitCode, 3, `exit 3: a check failed (output:\n${r.all})`);
  const results = readResults(out);
  const withheld = byCheck(results, 'no-rng-driver@no-rng');
  t.equal(withheld['boot/ssh'].state, 'pass');
  t.equal(withheld['virtio.4/entropy'].state, 'skip');
  t.match(withheld['virtio.4/entropy'].message, /virtio rng not offered/);
  t.equal(withheld['virtio.4/disk'].state, 'pass', 'the other devices still pass');
  t.equal(withheld['virtio.4/only-offered'].state, 'pass');
  const offered = byCheck(results, 'no-rng-driver@all');
  t.equal(offered['virtio.4/entropy'].state, 'fail');
  t.match(offered['virtio.4/entropy'].message, /present but no driver attached/);
  t.equal(offered['virtio.4/scsi'].state, 'pass');
  t.same(qemuProcessesMentioning(out), []);
});

t.test('a guest that never comes up: boot check fails with the console tail, within the deadline', async (t) => {
  const dir = scratch(t);
  const out = join(dir, 'run');
  const matrix = writeMatrix(
    dir,
    'panic.yaml',
    `hypervisors:\n  - {name: q, provider: qemu, accel: tcg}\nguests:\n  - {name: panics, image: linux-ref, extraKernelArgs: "rdinit=/no/such/init root=/dev/nonexistent"}\nsuites: [virtio.4]\n`,
  );
  const started = Date.now();
  const r = await pvconform(['run', '--config', matrix, '--out', out]);
  const took = Date.now() - started;
  t.equal(r.exitCode, 3, `exit 3 (output:\n${r.all})`);
  const checks = byCheck(readResults(out));
  t.equal(checks['boot/ssh'].state, 'fail', 'a guest that does not boot broke its promise: fail, not error');
  // A panic on its way up is named as one (the panic watch), else "did not come up".
  t.match(checks['boot/ssh'].message, /kernel panicked|did not come up/);
  t.match(checks['boot/ssh'].message, /Kernel panic|VFS: Unable to mount root/, 'the message carries the console tail');
  t.equal(checks['virtio.4/entropy'].state, 'skip');
  t.match(checks['virtio.4/entropy'].message, /not run: the guest (kernel panicked while booting|did not boot)/);
  t.ok(took < 60_000, `over in ${took} ms, well within the boot deadline`);
  t.same(qemuProcessesMentioning(out), []);
});
