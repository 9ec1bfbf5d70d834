// `pvconform dmesg`, run as a user runs it: spawn bin/pvconform and read its output and exit code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';

const BIN = resolve(import.meta.dirname, '../../bin/pvconform');
const FIXTURE = resolve(import.meta.dirname, '../../../shared/fixtures/dmesg/openbsd-6.7-vmm-1.txt');

t.setTimeout(90_000); // each spawn starts node + tsx (about a second each here)

function pvconform(...args: string[]) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('--json prints the tree of a fixture', async (t) => {
  const r = pvconform('dmesg', FIXTURE, '--json');
  t.equal(r.code, 0, r.stderr);
  const tree = JSON.parse(r.stdout);
  t.equal(tree.os, 'OpenBSD');
  t.equal(tree.release, '6.7');
  t.same(tree.hypervisors, [{ name: 'OpenBSD', version: null, raw: 'OpenBSD' }]);
  // openbsd-6.7-vmm-1.txt:29 vio0 at virtio1: address xx:xx:xx:xx:xx:xx
  const vio0 = tree.devices.find((d: { name: string }) => d.name === 'vio0');
  t.match(vio0, { name: 'vio0', driver: 'vio', unit: 0, parent: 'virtio1', locator: null, description: 'address xx:xx:xx:xx:xx:xx' });
  t.same(Object.keys(tree).slice(0, 4), ['os', 'release', 'hypervisors', 'devices'], 'documented keys first');
});

t.test('without --json it prints an indented tree', async (t) => {
  const r = pvconform('dmesg', FIXTURE);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^OpenBSD 6\.7\n/);
  t.match(r.stdout, /\nhypervisors: OpenBSD\n/);
  t.match(r.stdout, /\nvirtio: virtio4 other -> vmmci0 \(vmmci\), irq 9\n/);
  t.match(r.stdout, /\n  pvbus0: OpenBSD\n    pvclock0\n/, 'pvclock0 indented under pvbus0');
  t.match(r.stdout, /\n  pci0 bus 0\n(?:    .*\n)*    virtio1 dev 2 function 0 "Qumranet Virtio Network"\n      vio0: address /, 'vio0 under virtio1 under pci0');
});

t.test('a missing file is a usage error naming the file and the fix', async (t) => {
  const missing = join(tmpdir(), 'pvconform-no-such-dmesg.txt');
  const r = pvconform('dmesg', missing);
  t.equal(r.code, 1);
  t.match(r.stderr, missing);
  t.match(r.stderr, /Give the path of a saved boot log/);
  t.equal(r.stdout, '');
});

t.test('a file that is not a boot log is a usage error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-dmesg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const notALog = join(dir, 'notes.txt');
  writeFileSync(notALog, 'shopping list\n- eggs\n');
  const r = pvconform('dmesg', notALog);
  t.equal(r.code, 1);
  t.match(r.stderr, `${notALog} does not look like boot messages`);
  t.match(r.stderr, /Give the output of dmesg/);
});
