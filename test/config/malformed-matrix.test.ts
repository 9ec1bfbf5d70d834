// Malformed matrix files, each refused before anything boots: ONE line naming the file, the
// field (or line) and the fix. Through the loader and the planner here (what `run` calls before
// any provider); several through the real CLI at the end, with exit code and stderr.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMatrix } from '../../harness/config/load.ts';
import { makePlan, type Filters } from '../../harness/plan/plan.ts';
import { UsageError } from '../../harness/core/errors.ts';
import { existsSync, pvconform, scratch } from '../helpers/cli.ts';

t.setTimeout(240_000); // eight CLI runs at ~3 s each, more when the machine is busy

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIPy6Fs2xoLdM56ATaMm8t5kiXrKtZ2ZUYeGHf6HY9HE';
const H = 'hypervisors:\n  - {name: q, provider: qemu, accel: tcg}\n';
const G = 'guests:\n  - {name: linux-ref}\n';
const S = 'suites: [virtio.4]\n';
const ok = H + G + S;
const qemu = (fields: string) => `hypervisors:\n  - {name: q, provider: qemu, ${fields}}\n${G}${S}`;
const guest = (fields: string) => `${H}guests:\n  - {${fields}}\n${S}`;
const xenRemote = (host: string) => `hypervisors:\n  - name: x\n    provider: xen\n    host: {address: 10.0.0.1, privateKey: /k, ${host}}\n${G}${S}`;
const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n') + '\n' + ok;

type Row = [what: string, content: string | Buffer, expected: RegExp, filters?: Filters];
const rows: Row[] = [
  // syntax
  ['an unclosed flow list', 'hypervisors: [\n', /m\.yaml:\d+:\d+: not valid YAML: .*Fix: correct the YAML syntax/],
  ['a tab used for indentation', 'hypervisors:\n\t- {name: q, provider: qemu}\n' + G + S, /m\.yaml:2:\d+: not valid YAML.*Fix:/],
  ['a key given twice', ok + 'suites: [pvbus.4]\n', /m\.yaml:6:1: not valid YAML: Map keys must be unique.*Fix:/],
  ['two YAML documents in one file', ok + '---\n' + ok, /m\.yaml:\d+:\d+: not valid YAML: Source contains multiple documents.*Fix:/],
  ['an alias to an anchor never set', H + 'guests: *nope\n' + S, /m\.yaml: YAML aliases \(\*name\) refused: .*nope.*Fix:/],
  ['a billion-laughs alias bomb', laughs, /m\.yaml: YAML aliases \(\*name\) refused: Excessive alias count.*Fix: write the values out/],
  ['nesting 100000 lists deep', 'x: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n', /m\.yaml:\d+:\d+: not valid YAML: Maximum call stack.*Fix:/],
  // shape of the file
  ['an empty file', '', /m\.yaml: field \(top level\): the file is empty\. Fix: give a mapping with hypervisors, guests and suites/],
  ['a file of comments only', '# nothing here\n', /field \(top level\): the file is empty\. Fix:/],
  ['a file that is a list', '- hypervisors\n- guests\n', /field \(top level\): the file is a list, not a mapping\. Fix: give a mapping/],
  ['a file that is one word', 'hello\n', /field \(top level\): the file is a string, not a mapping\. Fix:/],
  // encodings
  ['UTF-16 with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ok, 'utf16le')]), /m\.yaml: the file is UTF-16 or UTF-32.*Fix: save it as UTF-8/],
  ['a Latin-1 byte (not UTF-8)', Buffer.concat([Buffer.from(H + 'guests:\n  - {name: linux-ref, extraKernelArgs: "caf'), Buffer.from([0xe9]), Buffer.from('"}\n' + S)]), /m\.yaml:4:\d+: not UTF-8 \(byte 0xe9\)\. Fix: save the file as UTF-8/],
  ['a UTF-8 sequence cut short at the end', Buffer.concat([Buffer.from(ok + '# '), Buffer.from([0xe2, 0x82])]), /m\.yaml:6:3: not UTF-8 \(byte 0xe2\)/],
  ['a NUL byte', Buffer.from(H + G + 'suites: [virtio.4\0]\n'), /m\.yaml:5:\d+: a control byte 0x00 \(NUL\) in the text\. Fix: remove it/],
  ['an escape byte', Buffer.from(H + G + 'suites: [virtio.4\x1b[0m]\n'), /m\.yaml:5:\d+: a control byte 0x1b in the text/],
  // sizes
  ['a 10 MB extraKernelArgs', qemu(`extraKernelArgs: "${'a'.repeat(10 * 1024 * 1024)}"`), /m\.yaml: the file is 10485\d+ bytes, more than the 1048576 a config file may be; line 2 \(field extraKernelArgs\) is \d+ bytes.*Fix: shorten that value/],
  ['a 10 MB extraKernelArgs on its own line', `${H}guests:\n  - name: linux-ref\n    extraKernelArgs: "${'a'.repeat(10 * 1024 * 1024)}"\n${S}`, /line 5 \(field extraKernelArgs\) is \d+ bytes/],
  ['a 5000-character extraKernelArgs', guest(`name: linux-ref, extraKernelArgs: "${'x'.repeat(5000)}"`), /field guests\[0\]\.extraKernelArgs: 5000 characters is too big \(at most 1024.*Fix: use at most 1024 characters/],
  ['a newline in extraKernelArgs', guest('name: linux-ref, extraKernelArgs: "quiet\\ninit=/bin/sh"'), /field guests\[0\]\.extraKernelArgs: .* is not valid\. Fix: no control characters/],
  ['a 100-character name', qemu('name: ' + 'q'.repeat(100)).replace('name: q, ', ''), /field hypervisors\[0\]\.name: 100 characters is too big.*Fix: use at most 63 characters/],
  ['65 guests', H + 'guests:\n' + Array.from({ length: 65 }, (_, i) => `  - {name: g${i}, image: linux-ref}\n`).join('') + S, /field guests: 65 items is too big.*Fix: use at most 64 items/],
  // types and ranges
  ['memory as a string', qemu('memoryMiB: "512"'), /field hypervisors\[0\]\.memoryMiB: "512" is not a number\. Fix: give a number/],
  ['a fractional memory size', qemu('memoryMiB: 512.5'), /field hypervisors\[0\]\.memoryMiB: .*Fix:/],
  ['a negative memory size', qemu('memoryMiB: -1'), /field hypervisors\[0\]\.memoryMiB: -1 is too small\. Fix: use at least 64/],
  ['QEMU memoryMiB 10485760', qemu('memoryMiB: 10485760'), /field hypervisors\[0\]\.memoryMiB: 10485760 is too big.*Fix: use at most 16384/],
  ['Xen memoryMiB 10485760', `hypervisors:\n  - {name: x, provider: xen, host: nested, memoryMiB: 10485760}\n${G}${S}`, /field hypervisors\[0\]\.memoryMiB: 10485760 is too big.*Fix: use at most 16384/],
  ['Hyper-V memoryMiB .inf', `hypervisors:\n  - {name: h, provider: hyperv, host: {address: h, user: u, privateKey: /k, hostKey: "${KEY}"}, memoryMiB: .inf}\n${G}${S}`, /field hypervisors\[0\]\.memoryMiB: .*Fix:/],
  ['zero CPUs', qemu('cpus: 0'), /field hypervisors\[0\]\.cpus: 0 is too small\. Fix: use at least 1/],
  ['Xen with 1000 CPUs', `hypervisors:\n  - {name: x, provider: xen, host: nested, cpus: 1000}\n${G}${S}`, /field hypervisors\[0\]\.cpus: 1000 is too big.*Fix: use at most 64/],
  ['a port past 65535', xenRemote(`port: 70000, hostKey: "${KEY}"`), /field hypervisors\[0\]\.host\.port: 70000 is too big.*Fix: use at most 65535/],
  ['Hyper-V generation 3', `hypervisors:\n  - {name: h, provider: hyperv, host: {address: h, user: u, privateKey: /k, hostKey: "${KEY}"}, generation: 3}\n${G}${S}`, /field hypervisors\[0\]\.generation: 3 is too big.*Fix: use at most 2/],
  ['suites given as one word', H + G + 'suites: virtio.4\n', /field suites: "virtio\.4" is not a list\. Fix: give a list/],
  ['a guest given as a bare word', `${H}guests: [linux-ref]\n${S}`, /field guests\[0\]: "linux-ref" is not a mapping\. Fix: give a mapping such as \{name: linux-ref\}/],
  ['a binary value as a name', `${H}guests:\n  - {name: !!binary aGVsbG8=}\n${S}`, /field guests\[0\]\.name: .* is not a string\. Fix:/],
  // unknown names and keys
  ['a misspelt accelerator', qemu('accel: fast'), /field hypervisors\[0\]\.accel: "fast" is not allowed\. Fix: use one of "auto", "kvm", "tcg"/],
  ['an unknown provider', `hypervisors:\n  - {name: q, provider: vbox}\n${G}${S}`, /field hypervisors\[0\]\.provider: "vbox" is not a provider\. Fix: set "provider" to one of/],
  ['a misspelt top-level key', H + G + 'suite: [virtio.4]\n', /field \(top level\): unknown key "suite"\. Fix: remove "suite" \(misspelt\?\)/],
  ['an unknown hypervisor key', qemu('devicez: [net]'), /field hypervisors\[0\]: unknown key "devicez"\. Fix: remove "devicez"/],
  ['an unknown device', qemu('devices: [net, floppy]'), /field hypervisors\[0\]\.devices\[1\]: "floppy" is not allowed\. Fix: use one of "net"/],
  ['an unknown suite', H + G + 'suites: [virtio.9]\n', /m\.yaml: field suites: unknown suite "virtio\.9"\. Fix: use one of .*virtio\.4/],
  ['an unknown image', guest('name: windows-95'), /field guests\[0\]\.name: unknown image "windows-95"\. Fix: use linux-ref/],
  ['no hypervisors', 'hypervisors: []\n' + G + S, /field hypervisors: too short\. Fix: name at least one hypervisor config/],
  ['no guests key at all', H + S, /field guests: missing\. Fix: add guests/],
  ['a Hyper-V host without hostKey', `hypervisors:\n  - {name: h, provider: hyperv, host: {address: h, user: u, privateKey: /k}}\n${G}${S}`, /field hypervisors\[0\]\.host\.hostKey: missing\. Fix: add hostKey/],
  // duplicates
  ['a hypervisor name used twice', `hypervisors:\n  - {name: q, provider: qemu}\n  - {name: q, provider: qemu, accel: tcg}\n${G}${S}`, /field hypervisors\[1\]\.name: "q" is used twice\. Fix: give each entry/],
  ['a guest name used twice', `${H}guests:\n  - {name: linux-ref}\n  - {name: linux-ref, extraKernelArgs: quiet}\n${S}`, /field guests\[1\]\.name: "linux-ref" is used twice\. Fix:/],
  ['a suite listed twice', H + G + 'suites: [virtio.4, virtio.4]\n', /field suites\[1\]: "virtio\.4" is listed twice\. Fix: list each item once/],
  ['a device listed twice', qemu('devices: [net, blk, net]'), /field hypervisors\[0\]\.devices\[2\]: "net" is listed twice\. Fix:/],
  ['a check listed twice', ok + 'checks: [virtio.4/entropy, virtio.4/entropy]\n', /field checks\[1\]: "virtio\.4\/entropy" is listed twice/],
  ['a driver listed twice in withoutDrivers', guest('name: linux-ref, withoutDrivers: [virtio_rng, virtio_rng]'), /field guests\[0\]\.withoutDrivers\[1\]: "virtio_rng" is listed twice/],
  // names that would reach paths and command lines
  ['path traversal in a guest name', guest('name: ../../x'), /field guests\[0\]\.name: "\.\.\/\.\.\/x" is not valid\. Fix: use lower-case letters.*no "\/"/],
  ['path traversal in a hypervisor name', qemu('accel: tcg').replace('name: q', 'name: "../x"'), /field hypervisors\[0\]\.name: "\.\.\/x" is not valid/],
  ['path traversal in a guest image', guest('name: g, image: ../../etc/passwd'), /field guests\[0\]\.image: "\.\.\/\.\.\/etc\/passwd" is not valid/],
  ['an absolute path as a name', guest('name: /etc'), /field guests\[0\]\.name: "\/etc" is not valid/],
  ['an upper-case name', guest('name: Linux-Ref'), /field guests\[0\]\.name: "Linux-Ref" is not valid/],
  ['QEMU options smuggled into machine', qemu('machine: "q35 -device e1000"'), /field hypervisors\[0\]\.machine: "q35 -device e1000" is not valid\. Fix: a QEMU machine type/],
  ['a kernel argument smuggled into withoutDrivers', guest('name: linux-ref, withoutDrivers: ["virtio_rng init=/bin/sh"]'), /field guests\[0\]\.withoutDrivers\[0\]: .* is not valid\. Fix: a kernel module name/],
  ['a malformed check pattern', ok + 'checks: ["../x"]\n', /field checks\[0\]: "\.\.\/x" is not valid\. Fix: a check id/],
  // pinned keys of remote hosts
  ['an empty pinned host key', xenRemote('hostKey: ""'), /field hypervisors\[0\]\.host\.hostKey: not a usable pinned host key: it is empty\. Fix: paste the host's whole public key line/],
  ['a garbled pinned host key', xenRemote(`hostKey: "${KEY.replace('AAAAC3Nza', 'AAAAC3Mza')}"`), /field hypervisors\[0\]\.host\.hostKey: not a usable pinned host key: the key's encoded type.*Fix:/],
  ['a pinned key that is not base64', xenRemote('hostKey: "ssh-ed25519 not*base64!"'), /host\.hostKey: not a usable pinned host key: the key after "ssh-ed25519" is not base64/],
  // check selection
  ['a checks entry that matches nothing', ok + 'checks: [virtio.4/floppy]\n', /m\.yaml: field checks\[0\]: "virtio\.4\/floppy" matches no check of the suites virtio\.4\. Fix:/],
  ['a --check that matches nothing', ok, /--check virtio\.4\/floppy: matches no check of the suites virtio\.4\. Fix:/, { check: ['virtio.4/floppy'] }],
  ['a --check of another suite', ok, /--check pvbus\.4\/attach-line: matches no check/, { check: ['pvbus.4/attach-line'] }],
  ['a --check outside the file\'s checks', ok + 'checks: [virtio.4/entropy]\n', /--check virtio\.4\/disk: matches no check that m\.yaml's checks select/, { check: ['virtio.4/disk'] }],
  ['an empty --check', ok, /--check: no check id given\. Fix:/, { check: [] }],
  ['an empty --guest', ok, /--guest: no name given\. Fix: use one of linux-ref/, { guest: [] }],
];

t.test(`${rows.length} malformed matrix files: each one line naming the file, the field and the fix`, async (t) => {
  const dir = scratch(t);
  let refused = 0;
  for (const [what, content, expected, filters] of rows) {
    const file = join(dir, 'm.yaml');
    writeFileSync(file, content);
    const e = await loadMatrix(file)
      .then(({ config, source }) => makePlan(config, source, filters))
      .then(() => null, (x: unknown) => x);
    if (!(e instanceof UsageError)) {
      t.fail(`${what}: not refused as a usage error (${e === null ? 'accepted' : `${(e as Error).name}: ${(e as Error).message}`})`);
      continue;
    }
    const msg = e.message.replaceAll(dir + '/', '');
    t.match(msg, expected, what);
    t.notMatch(e.message, /\n/, `${what}: one line`);
    t.ok(e.message.length < 400, `${what}: a short line (${e.message.length} chars)`);
    t.match(e.message, /Fix: /, `${what}: says the fix`);
    if (!filters) t.ok(e.message.startsWith(file), `${what}: names the file first`);
    refused++;
  }
  t.equal(refused, rows.length, `${refused} of ${rows.length} refused`);
  t.ok(rows.length >= 40, `${rows.length} files (at least 40)`);
});

t.test('what must still be accepted', async (t) => {
  const dir = scratch(t);
  const accept: Array<[string, string | Buffer]> = [
    ['a plain matrix', ok],
    ['a UTF-8 byte-order mark (YAML 1.2 allows it)', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ok)])],
    ['UTF-8 text in a comment', '# Prüfmatrix — ✓\n' + ok],
    ['a 1024-character extraKernelArgs', guest(`name: linux-ref, extraKernelArgs: "${'x'.repeat(1024)}"`)],
    ['a few aliases', 'hypervisors:\n  - {name: a, provider: qemu, devices: &dev [net, blk]}\n  - {name: b, provider: qemu, devices: *dev}\n' + G + S],
    ['a real pinned host key', xenRemote(`hostKey: "${KEY}"`)],
  ];
  for (const [what, content] of accept) {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, content);
    const e = await loadMatrix(file).then(({ config, source }) => makePlan(config, source)).then(() => null, (x: Error) => x);
    t.equal(e, null, `${what}: accepted${e ? ` (${e.message})` : ''}`);
  }
  const narrowed = join(dir, 'n.yaml');
  writeFileSync(narrowed, ok + 'checks: [virtio.4/entropy, virtio.4/disk]\n');
  const { config, source } = await loadMatrix(narrowed);
  const plan = await makePlan(config, source, { check: ['virtio.4/entropy'] });
  t.same(plan.checkIds, ['virtio.4/entropy'], '--check narrows the file\'s checks (never widens them)');
});

t.test('through the real CLI: exit 1, one line on stderr naming the file, nothing booted or written', async (t) => {
  t.setTimeout(120_000);
  const dir = scratch(t);
  const cases: Array<[string, string, string[], RegExp]> = [
    ['bomb.yaml', laughs, [], /bomb\.yaml: YAML aliases \(\*name\) refused: .*Fix:/],
    ['dup-suites.yaml', H + G + 'suites: [virtio.4, virtio.4]\n', [], /dup-suites\.yaml: field suites\[1\]: "virtio\.4" is listed twice/],
    ['xen-mem.yaml', `hypervisors:\n  - {name: x, provider: xen, host: nested, memoryMiB: 10485760}\n${G}${S}`, [], /xen-mem\.yaml: field hypervisors\[0\]\.memoryMiB: 10485760 is too big/],
    ['big.yaml', `${H}guests:\n  - name: linux-ref\n    extraKernelArgs: "${'a'.repeat(10 * 1024 * 1024)}"\n${S}`, [], /big\.yaml: the file is \d+ bytes.*field extraKernelArgs/],
    ['check.yaml', ok, ['--check', 'virtio.4/floppy'], /--check virtio\.4\/floppy: matches no check/],
    ['traversal.yaml', guest('name: ../../x'), [], /traversal\.yaml: field guests\[0\]\.name: "\.\.\/\.\.\/x" is not valid/],
    ['nul.yaml', H + G + 'suites: [virtio.4\0]\n', [], /nul\.yaml:5:\d+: a control byte 0x00/],
    ['list.yaml', '- a\n- b\n', [], /list\.yaml: field \(top level\): the file is a list/],
  ];
  for (const [name, content, extra, expected] of cases) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const out = join(dir, `out-${name}`);
    // An empty image cache: were the file accepted, the run would end in skips, not exit 1.
    const r = await pvconform(['run', '--config', file, '--out', out, ...extra], { env: { PVCONFORM_IMAGE_CACHE: join(dir, 'no-images') } });
    t.equal(r.exitCode, 1, `${name}: exit 1`);
    const lines = r.stderr.split('\n').filter(Boolean);
    t.equal(lines.length, 1, `${name}: one line on stderr (${r.stderr.slice(0, 300)})`);
    t.match(lines[0] ?? '', expected, `${name}: the message`);
    t.notMatch(r.stderr, /internal error|    at /, `${name}: no stack trace`);
    t.notOk(existsSync(join(out, 'results.jsonl')), `${name}: nothing ran`);
  }
});
