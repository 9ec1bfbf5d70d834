// Every real boot log in ../shared/fixtures/dmesg/ (and the Linux logs captured into
// test/bootlog/fixtures/) parses to what reading it shows (expected.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { findDevice, parseBootLog, pvChildren, virtioChildren } from '../../harness/bootlog/index.ts';
import { FIXTURES, LINUX_FIXTURES, type FixtureExpectation } from './expected.ts';

const SHARED_DIR = resolve(import.meta.dirname, '../../../shared/fixtures/dmesg');
const LOCAL_DIR = resolve(import.meta.dirname, 'fixtures');

/** The file as a guest would hold it: the three "# source/os/notes" header lines blanked, so
 *  line numbers still match the file's. */
function readFixture(dir: string, file: string): string {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  for (let i = 0; i < 3; i++) if (lines[i].startsWith('# ')) lines[i] = '';
  return lines.join('\n');
}

function checkFixture(dir: string, want: FixtureExpectation): void {
  t.test(want.file, async (t) => {
    const tree = parseBootLog(readFixture(dir, want.file));
    t.equal(tree.os, want.os, 'os');
    t.equal(tree.release, want.release, 'release');
    t.same(
      tree.hypervisors.map(({ name, version }) => ({ name, version })),
      want.hypervisors,
      'hypervisors',
    );
    t.equal(tree.bootsInBuffer, want.boots, 'boots in the buffer');
    t.equal(tree.firstLine, want.firstLine, 'the parsed boot starts at the last banner');
    if (want.bannerIncludes) t.match(tree.banner ?? '', want.bannerIncludes, 'banner of the last boot');
    t.equal(tree.paravirtKernelOn, want.paravirtKernelOn, 'Linux paravirt line');

    t.same(
      pvChildren(tree).map((d) => `${d.name}@${d.parent}`),
      want.pv,
      'devices below a paravirtual bus',
    );
    t.same(
      tree.virtio.map((v) => [v.name, v.class, v.deviceId, v.child, v.interrupt]),
      want.virtio,
      'virtio transports',
    );
    const pv = new Set(pvChildren(tree).map((d) => d.name));
    t.ok(virtioChildren(tree).every((d) => pv.has(d.name)), 'virtio children are pv children');

    if (want.xen) t.match(tree.xen, want.xen, 'xen0 facts');
    else t.equal(tree.xen, undefined, 'no xen0 facts');
    if (want.xenUnconfigured)
      t.same(
        tree.unconfigured.filter((u) => u.parent === 'xen0').map((u) => u.what),
        want.xenUnconfigured,
        'xen0 children not configured',
      );
    for (const [name, fields] of Object.entries(want.details ?? {})) {
      const device = findDevice(tree, name);
      t.ok(device, `${name} attached`);
      for (const [key, value] of Object.entries(fields))
        t.equal((device as unknown as Record<string, unknown> | undefined)?.[key], value, `${name}.${key}`);
    }
  });
}

if (!existsSync(SHARED_DIR)) {
  t.fail(`fixture directory ${SHARED_DIR} is missing: check out the shared/ directory beside the repo`);
} else {
  t.test('the table covers every shared fixture file', async (t) => {
    const files = readdirSync(SHARED_DIR).filter((f) => f.endsWith('.txt')).sort();
    t.equal(files.length, 27, 'the fixture set has 27 logs');
    t.same(FIXTURES.map((f) => f.file).sort(), files);
  });
  for (const want of FIXTURES) checkFixture(SHARED_DIR, want);
}

t.test('the table covers every local Linux fixture', async (t) => {
  const files = readdirSync(LOCAL_DIR).filter((f) => f.endsWith('.txt')).sort();
  t.same(LINUX_FIXTURES.map((f) => f.file).sort(), files);
});
for (const want of LINUX_FIXTURES) checkFixture(LOCAL_DIR, want);
