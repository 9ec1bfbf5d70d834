// A guest whose image is not built here is skip with how to build it: never pass, never fail.
// And a run that checked nothing for lack of images is never green: exit 4, unless the user
// said missing images are fine (--allow-missing-images) and something else was checked.
import t from 'tap';
import { join } from 'node:path';
import { EXIT } from '../../harness/core/exit-codes.ts';
import { pvconform, readResults, scratch, writeMatrix } from '../helpers/cli.ts';

t.setTimeout(60_000);

t.test('OpenBSD and NetBSD cells without an image are skip with the build command, and the run is not green', async (t) => {
  const dir = scratch(t);
  const matrix = writeMatrix(dir, 'm.yaml', `hypervisors:\n  - {name: q, provider: qemu, accel: tcg}\nguests:\n  - {name: openbsd-7.8}\n  - {name: netbsd-10.1}\nsuites: [virtio.4]\n`);
  const env = { PVCONFORM_IMAGE_CACHE: join(dir, 'empty-cache') };
  for (const allow of [false, true]) {
    const out = join(dir, allow ? 'allowed' : 'run');
    const r = await pvconform(['run', '--config', matrix, '--out', out, '--check', 'virtio.4/entropy', ...(allow ? ['--allow-missing-images'] : [])], { env });
    if (allow) {
      // Missing images are accepted, but still nothing at all was checked.
      t.equal(r.exitCode, EXIT.nothingChecked, `--allow-missing-images, yet no check ran: still exit 4 (output:\n${r.all})`);
      t.match(r.all, /no check passed or failed/, 'and says why');
    } else {
      t.equal(r.exitCode, EXIT.nothingChecked, `nothing checked: exit 4 (output:\n${r.all})`);
      t.match(r.all, /2 cell\(s\) could not run on this host \(no image/, 'and says why');
    }
    const results = readResults(out);
    t.equal(results.length, 4, 'boot/ssh and the one check, for each cell');
    for (const res of results) {
      t.equal(res.state, 'skip', `${res.cell} ${res.check} is skip`);
      t.match(res.message, `no image: build it with \`pvconform images build ${res.guest}\``);
    }
  }
});
