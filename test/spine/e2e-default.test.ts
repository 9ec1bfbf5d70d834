// The main job for real: the embedded default (QEMU + linux-ref + virtio.4) boots the guest,
// every check for an offered device passes, and the run leaves only its reports behind.
import t from 'tap';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { findCachedImage } from '../../vm-images/linux-ref/build.ts';
import { pvconform, readResults, byCheck, scratch, qemuProcessesMentioning, harnessTempDirs, existsSync } from '../helpers/cli.ts';

t.setTimeout(300_000);

t.test('pvconform run on the embedded default', async (t) => {
  const dir = scratch(t);
  const out = join(dir, 'run');
  const before = harnessTempDirs();
  const image = await findCachedImage();
  const digest = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
  const baseBefore = [image!.dataDisk, image!.initrd, image!.kernel].map(digest);
  const started = Date.now();
  const r = await pvconform(['run', '--out', out]);
  const wall = Date.now() - started;
  t.equal(r.exitCode, 0, `exit 0 (output:\n${r.all})`);
  const results = readResults(out);
  const checks = byCheck(results);
  t.equal(checks['boot/ssh']?.state, 'pass', 'the guest booted and answered SSH');
  for (const id of ['virtio.4/disk', 'virtio.4/console', 'virtio.4/ethernet', 'virtio.4/memory-balloon', 'virtio.4/entropy', 'virtio.4/scsi', 'virtio.4/only-offered'])
    t.equal(checks[id]?.state, 'pass', `${id}: ${checks[id]?.message}`);
  for (const res of results) {
    t.ok(res.citation, `${res.check} cites its source`);
    if (res.suite === 'virtio.4') t.equal(res.citation?.kind, 'man');
  }
  for (const f of ['results.jsonl', 'results.tap', 'junit.xml', 'plan.json', 'run.json', 'artifacts/linux-ref@qemu/console.log', 'artifacts/linux-ref@qemu/dmesg.txt'])
    t.ok(existsSync(join(out, f)), `${f} written`);
  t.match(readFileSync(join(out, 'artifacts/linux-ref@qemu/dmesg.txt'), 'utf8'), /Linux version/);
  t.match(r.stdout, /8 pass, 0 fail, 0 skip, 0 error/);
  t.same(qemuProcessesMentioning(out), [], 'no QEMU left running');
  t.same(harnessTempDirs().filter((d) => !before.includes(d)), [], 'no scratch folder left');
  t.same([image!.dataDisk, image!.initrd, image!.kernel].map(digest), baseBefore, 'the base image is unchanged: cells wrote only their overlays');
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  t.comment(`figures: whole run ${(wall / 1000).toFixed(1)} s, boot to SSH ${(run.figures[0].bootToSshMs / 1000).toFixed(1)} s, cell ${(run.figures[0].cellMs / 1000).toFixed(1)} s`);
});
