// A guest whose image is not built here is skip with how to build it: never pass, never fail.
import t from 'tap';
import { join } from 'node:path';
import { pvconform, readResults, scratch, writeMatrix } from '../helpers/cli.ts';

t.setTimeout(60_000);

t.test('OpenBSD and NetBSD cells without an image are skip with the build command', async (t) => {
  const dir = scratch(t);
  const out = join(dir, 'run');
  const matrix = writeMatrix(dir, 'm.yaml', `hypervisors:\n  - {name: q, provider: qemu, accel: tcg}\nguests:\n  - {name: openbsd-7.8}\n  - {name: netbsd-10.1}\nsuites: [virtio.4]\n`);
  const r = await pvconform(['run', '--config', matrix, '--out', out, '--check', 'virtio.4/entropy'], { env: { PVCONFORM_IMAGE_CACHE: join(dir, 'empty-cache') } });
  t.equal(r.exitCode, 0, `nothing failed, nothing broke (output:\n${r.all})`);
  const results = readResults(out);
  t.equal(results.length, 4, 'boot/ssh and the one check, for each cell');
  for (const res of results) {
    t.equal(res.state, 'skip', `${res.cell} ${res.check} is skip`);
    const image = res.guest;
    t.match(res.message, `no image: build it with \`pvconform images build ${image}\``);
  }
});
