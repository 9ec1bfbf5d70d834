// Bad matrix files: every message names the file, the field and the fix; the CLI exits 1.
import t from 'tap';
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { parseMatrix, DEFAULT_MATRIX_YAML } from '../../harness/config/load.ts';
import { UsageError } from '../../harness/core/errors.ts';

const BIN = new URL('../../bin/pvconform', import.meta.url).pathname;

t.test('the embedded default is QEMU + linux-ref + virtio.4 with every device offered', async (t) => {
  const c = parseMatrix(DEFAULT_MATRIX_YAML, 'default');
  t.equal(c.hypervisors.length, 1);
  t.equal(c.hypervisors[0].provider, 'qemu');
  t.same(c.guests.map((g) => g.name), ['linux-ref']);
  t.same(c.suites, ['virtio.4']);
  t.same((c.hypervisors[0] as QemuConfig).devices, ['net', 'blk', 'scsi', 'console', 'balloon', 'rng']);
});

const bad: Array<[string, string, RegExp]> = [
  ['a misspelt accelerator', 'hypervisors:\n  - {name: q, provider: qemu, accel: fast}\nguests: [{name: linux-ref}]\nsuites: [virtio.4]\n', /m\.yaml: field hypervisors\[0\]\.accel: .*Fix: use one of "auto", "kvm", "tcg"/],
  ['an unknown provider', 'hypervisors:\n  - {name: q, provider: vbox}\nguests: [{name: linux-ref}]\nsuites: [virtio.4]\n', /field hypervisors\[0\]\.provider.*Fix: set "provider" to one of/],
  ['an unknown key', 'hypervisors:\n  - {name: q, provider: qemu, devicez: []}\nguests: [{name: linux-ref}]\nsuites: [virtio.4]\n', /field hypervisors\[0\]: .*Fix: remove "devicez"/],
  ['an unknown device', 'hypervisors:\n  - {name: q, provider: qemu, devices: [net, floppy]}\nguests: [{name: linux-ref}]\nsuites: [virtio.4]\n', /field hypervisors\[0\]\.devices\[1\].*Fix: use one of "net"/],
  ['broken YAML', 'hypervisors: [\n', /m\.yaml:\d+:\d+: not valid YAML.*Fix:/],
  ['an empty file', '', /field \(top level\): the file is empty\. Fix: give a mapping with hypervisors, guests and suites/],
  ['no guests', 'hypervisors:\n  - {name: q, provider: qemu}\nguests: []\nsuites: [virtio.4]\n', /field guests: .*name at least one guest/],
  ['a duplicate name', 'hypervisors:\n  - {name: q, provider: qemu}\n  - {name: q, provider: qemu}\nguests: [{name: linux-ref}]\nsuites: [virtio.4]\n', /field hypervisors\[1\]\.name: "q" is used twice\. Fix:/],
];

for (const [what, text, expected] of bad)
  t.test(`rejects ${what}`, async (t) => {
    t.throws(() => parseMatrix(text, 'm.yaml'), UsageError);
    try {
      parseMatrix(text, 'm.yaml');
    } catch (e) {
      t.match((e as Error).message, expected);
    }
  });

t.test('the CLI exits 1 with the message, before booting anything', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'matrix.yaml');
  writeFileSync(file, 'hypervisors:\n  - {name: q, provider: qemu, memoryMiB: lots}\nguests: [{name: linux-ref}]\nsuites: [virtio.4]\n');
  const r = await execa(BIN, ['run', '--config', file, '--out', join(dir, 'out')], { reject: false });
  t.equal(r.exitCode, 1);
  t.match(r.stderr, new RegExp(`${file}: field hypervisors\\[0\\]\\.memoryMiB: .*Fix: give a number`));
  const missing = await execa(BIN, ['run', '--config', join(dir, 'nope.yaml')], { reject: false });
  t.equal(missing.exitCode, 1);
  t.match(missing.stderr, /nope\.yaml: cannot read the config file \(ENOENT\)\. Fix:/);
  const suite = join(dir, 'suite.yaml');
  writeFileSync(suite, 'hypervisors:\n  - {name: q, provider: qemu}\nguests: [{name: linux-ref}]\nsuites: [virtio.9]\n');
  const s = await execa(BIN, ['run', '--config', suite, '--out', join(dir, 'out2')], { reject: false });
  t.equal(s.exitCode, 1);
  t.match(s.stderr, /field suites: unknown suite "virtio\.9"\. Fix: use one of .*virtio\.4/);
  const guest = join(dir, 'guest.yaml');
  writeFileSync(guest, 'hypervisors:\n  - {name: q, provider: qemu}\nguests: [{name: windows-95}]\nsuites: [virtio.4]\n');
  const g = await execa(BIN, ['run', '--config', guest, '--out', join(dir, 'out3')], { reject: false });
  t.equal(g.exitCode, 1);
  t.match(g.stderr, /field guests\[0\]\.name: unknown image "windows-95"\. Fix: use linux-ref, openbsd-<release>/);
});
