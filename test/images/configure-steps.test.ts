// The first-boot steps for each BSD: valid sh (checked by dash, stricter than the BSD shells
// about nothing we use), and covering what the issue asks of each image.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { openbsdSteps } from '../../vm-images/openbsd/configure.ts';
import { netbsdSteps } from '../../vm-images/netbsd/configure.ts';

const input = { release: '7.8', harnessKey: "ssh-ed25519 AAAAC3Nza it's-a-key", testUser: 'pvtest', readyMarker: 'GUEST-READY' };

for (const [os, steps] of [
  ['openbsd', openbsdSteps(input)],
  ['netbsd', netbsdSteps({ ...input, release: '10.1' })],
] as const) {
  t.test(`${os}: every step parses as sh`, async (t) => {
    for (const s of steps) t.doesNotThrow(() => execFileSync('sh', ['-n', '-c', s.command]), s.what);
  });
}

t.test('openbsd covers: release, cc, pvbus0..1, keys, unprivileged user, sshd, marker', async (t) => {
  const all = openbsdSteps(input).map((s) => s.command).join('\n');
  t.match(all, /OpenBSD 7\.8/);
  t.match(all, /cc --version/);
  t.match(all, /MAKEDEV pvbus0 pvbus1/);
  t.match(all, /\/root\/\.ssh\/authorized_keys/);
  t.match(all, /! id -Gn pvtest \| grep -qw wheel/);
  t.match(all, /rcctl check sshd/);
  t.match(all, /GUEST-READY/);
});

t.test('netbsd covers: release, cc, kernfs on /kern not noauto, sshd, keys, user, serial console', async (t) => {
  const all = netbsdSteps({ ...input, release: '10.1' }).map((s) => s.command).join('\n');
  t.match(all, /NetBSD 10\.1/);
  t.match(all, /cc --version/);
  t.match(all, /s\/rw,noauto\/rw\//);
  t.match(all, / on \/kern type kernfs/);
  t.match(all, /sshd=YES/);
  t.match(all, /useradd -m/);
  t.match(all, /consdev=com0/);
});

t.test('the kernfs fstab edit does what it says, on a copy of the live image fstab', async (t) => {
  // fstab.in from NetBSD src distrib/common/bootimage (the live image's /etc/fstab).
  const fstab = 'ROOT.a\t\t/\t\tffs\trw\t\t\t1 1\nkernfs\t\t/kern\t\tkernfs\trw,noauto\t\t0 0\nprocfs\t\t/proc\t\tprocfs\trw,noauto\t\t0 0\n';
  const out = execFileSync('sed', ['-e', '/^kernfs[[:space:]]/s/rw,noauto/rw/'], { input: fstab }).toString();
  t.match(out, /^kernfs\t\t\/kern\t\tkernfs\trw\t\t0 0$/m);
  t.match(out, /^procfs.*rw,noauto/m, 'procfs untouched');
});
