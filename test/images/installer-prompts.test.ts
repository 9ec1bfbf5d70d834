// The prompt tables against installer transcripts written from the installers' documented
// prompts (test/images/transcripts/, each line's source cited there), played by a fake serial
// guest: every prompt gets the intended answer, autoresponded lines trigger nothing, failures
// are reported with what they mean, and the install's end is recognised.
import { join } from 'node:path';
import t from 'tap';
import { drivePrompts, InstallerError } from '../../harness/images/recipes/prompt-driver.ts';
import { installerPrompts, FIRST_BOOT } from '../../vm-images/openbsd/prompts.ts';
import { awaitInstallerReboot } from '../../vm-images/openbsd/build.ts';
import { NETBSD_BOOT } from '../../vm-images/netbsd/prompts.ts';
import { fakeRig } from '../console/fake-session.ts';
import { parseTranscript } from '../console/fake-serial-guest.ts';

const T = (f: string) => join(import.meta.dirname, 'transcripts', f);
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly0123456789abcdefghij pvconform@test';
const log = () => {};

t.test('OpenBSD: boot loader, first menu, response file, then the unattended install to CONGRATULATIONS', async (t) => {
  const rig = await fakeRig({ file: T('openbsd-7.8-autoinstall.txt'), vars: { PORT: '40123', KEY } });
  t.teardown(rig.cleanup);
  const r = await drivePrompts(rig.session, installerPrompts('http://10.0.2.2:40123/install.conf'), { step: 'install', timeoutMs: 20_000, log });
  t.equal(r.done.id, 'installed');
  t.same(r.answered, ['boot-loader', 'boot-loader', 'first-menu', 'response-file'], 'exactly the console prompts, in order');
  t.same(rig.guest.typed, ['set tty com0', 'boot', 'a', 'http://10.0.2.2:40123/install.conf'], 'what was typed');
  const exited = rig.guest.done.then(() => new Promise((r) => setTimeout(r, 100)));
  t.equal(await awaitInstallerReboot(rig.session, exited, 5000), 'QEMU exited at the reboot', 'the reboot is the end');
});

t.test('OpenBSD: a set failing its checksum stops the build with what it means', async (t) => {
  const rig = await fakeRig({ file: T('openbsd-7.8-checksum-failure.txt'), vars: { PORT: '40123' } });
  t.teardown(rig.cleanup);
  const err = await drivePrompts(rig.session, installerPrompts('http://10.0.2.2:40123/install.conf'), { step: 'install', timeoutMs: 20_000, log }).catch((e) => e);
  t.type(err, InstallerError);
  t.match(err.message, /a set did not match the signed SHA256 list/);
  t.match(err.message, /Checksum test for comp78\.tgz failed/);
});

t.test('OpenBSD: a machine that comes back to the boot loader after the install counts as rebooted', async (t) => {
  const rig = await fakeRig([{ out: 'CONGRATULATIONS! Your OpenBSD install has been successfully completed!\nrebooting...\n' }, { pauseMs: 100 }, { out: '>> OpenBSD/amd64 BOOT 3.67\nboot> ' }]);
  t.teardown(rig.cleanup);
  await rig.session.expect(/CONGRATULATIONS/, { timeoutMs: 5000, step: 'x' });
  t.match(await awaitInstallerReboot(rig.session, new Promise(() => {}), 5000), /came back up/);
});

t.test('OpenBSD: a prompt that keeps coming back is a loop, not an answer', async (t) => {
  const rig = await fakeRig(parseTranscript('boot> \\c\n@in set tty com0\nboot> \\c\n@in boot\nboot> \\c\n'));
  t.teardown(rig.cleanup);
  const err = await drivePrompts(rig.session, installerPrompts('http://x/install.conf'), { step: 'install', timeoutMs: 10_000, log }).catch((e) => e);
  t.match(err.message, /"boot-loader" came 3 times/);
});

t.test('OpenBSD: first boot of the installed disk up to the login prompt', async (t) => {
  const rig = await fakeRig(parseTranscript('>> OpenBSD/amd64 BOOT 3.67\nboot> \\c\n@in boot\nstarting network daemons: sshd.\n\nOpenBSD/amd64 (pvguest.my.domain) (tty00)\n\nlogin: \\c\n'));
  t.teardown(rig.cleanup);
  const r = await drivePrompts(rig.session, FIRST_BOOT, { step: 'first boot', timeoutMs: 10_000, log });
  t.equal(r.done.id, 'login');
});

t.test('NetBSD: the live image boots twice (root grown, reboot) and each time gets the serial console', async (t) => {
  const rig = await fakeRig({ file: T('netbsd-10.1-live-firstboot.txt') });
  t.teardown(rig.cleanup);
  const r = await drivePrompts(rig.session, NETBSD_BOOT, { step: 'first boot', timeoutMs: 20_000, log });
  t.equal(r.done.id, 'login');
  t.same(r.answered, ['boot-countdown', 'boot-prompt', 'boot-prompt', 'boot-countdown', 'boot-prompt', 'boot-prompt']);
  t.same(rig.guest.typed, [' ', 'consdev com0', 'boot', ' ', 'consdev com0', 'boot'], 'single keys without newline, commands with');
  await rig.guest.done;
});

t.test('NetBSD: a boot.cfg menu is left through its "Drop to boot prompt" entry, whatever its number', async (t) => {
  const rig = await fakeRig({ file: T('netbsd-boot-menu.txt') });
  t.teardown(rig.cleanup);
  const r = await drivePrompts(rig.session, NETBSD_BOOT, { step: 'boot', timeoutMs: 10_000, log });
  t.equal(r.done.id, 'login');
  t.same(rig.guest.typed, ['3', 'consdev com0', 'boot']);
});

t.test('NetBSD: single-user mode is a failure with its meaning', async (t) => {
  const rig = await fakeRig(parseTranscript('> \\c\n@in consdev com0\n> \\c\n@in boot\nEnter pathname of shell or RETURN for /bin/sh: \\c\n'));
  t.teardown(rig.cleanup);
  const err = await drivePrompts(rig.session, NETBSD_BOOT, { step: 'first boot', timeoutMs: 10_000, log }).catch((e) => e);
  t.match(err.message, /came up single-user/);
});
