// The expect engine against a fake serial guest (test double; the real-guest test is
// linux-ref.test.ts): waits look only past the last match or send, the earliest match wins, a
// timeout names what it awaited and shows the tail, a dead VM fails waits at once, secrets stay
// out of the transcript.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ConsoleClosedError, ConsoleTimeoutError } from '../../harness/console/session.ts';
import { loginOnConsole } from '../../harness/console/shell.ts';
import { parseTranscript } from './fake-serial-guest.ts';
import { fakeRig } from './fake-session.ts';

t.test('a match never sees text from before the previous match or send', async (t) => {
  const rig = await fakeRig(parseTranscript('login: \\c\n@in root\nPassword:\\c\n@in-secret hunter2\nlogin: again\n# \\c'));
  t.teardown(rig.cleanup);
  await rig.session.expect(/login: $/, { timeoutMs: 5000, step: 'one' });
  await rig.session.sendLine('root', 'one');
  const m = await rig.session.expect([/login: /, /Password:/], { timeoutMs: 5000, step: 'two' });
  t.equal(m.index, 1, 'the old login prompt is not seen again');
  t.match(m.before, /^root\n$/, 'only the echo came before');
  await rig.session.sendLine('hunter2', 'two', true);
  const later = await rig.session.expect([/# $/, /login: again/], { timeoutMs: 5000, step: 'three' });
  t.equal(later.index, 1, 'earliest match wins, whatever the pattern order');
  await rig.guest.done;
  const transcript = readFileSync(rig.transcriptPath, 'utf8');
  t.notMatch(transcript, /hunter2/, 'the secret is not in the transcript');
  t.match(transcript, /"ev":"send","step":"two","data":"<secret>\\n"/);
});

t.test('a timeout says what it awaited, in which step, and shows the tail', async (t) => {
  const rig = await fakeRig(parseTranscript('Starting network daemons: sshd.\nsomething else entirely\\c'));
  t.teardown(rig.cleanup);
  const err = await rig.session.expect(/login: $/, { timeoutMs: 400, step: 'first boot', what: 'the login prompt' }).catch((e) => e);
  t.type(err, ConsoleTimeoutError);
  t.match(err.message, /timed out after 0\.\d s waiting for the login prompt \(\/login: \$\/\) \(step "first boot"\)/);
  t.match(err.message, /something else entirely/);
  t.same(err.awaited, ['/login: $/']);
  const events = readFileSync(rig.transcriptPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.ok(events.some((e) => e.ev === 'timeout' && e.tail.includes('something else')), 'the transcript has the timeout with its tail');
});

t.test('when QEMU is gone, waits fail at once with the reason', async (t) => {
  const rig = await fakeRig(parseTranscript('booting\\c'));
  t.teardown(rig.cleanup);
  setTimeout(() => rig.session.close('QEMU exited (code 1)'), 100);
  const started = Date.now();
  const err = await rig.session.expect(/never/, { timeoutMs: 60_000, step: 'install', what: 'the first menu' }).catch((e) => e);
  t.type(err, ConsoleClosedError);
  t.ok(Date.now() - started < 5000, 'no waiting out the timeout');
  t.match(err.message, /QEMU exited \(code 1\) while waiting for the first menu/);
});

t.test('a nudge retypes a newline when nothing matches for a while', async (t) => {
  const rig = await fakeRig(parseTranscript('@in \nlogin: \\c'));
  t.teardown(rig.cleanup);
  await rig.session.expect(/login: $/, { timeoutMs: 5000, step: 'login', nudge: { everyMs: 200, text: '\n' } });
  t.same(rig.guest.typed, ['']);
});

t.test('console login: user, password, refused', async (t) => {
  const ok = await fakeRig(parseTranscript('login: \\c\n@in root\nPassword:\\c\n@in-secret pw\nLast login: never\npvguest# \\c'));
  t.teardown(ok.cleanup);
  await loginOnConsole(ok.session, { user: 'root', password: 'pw', timeoutMs: 5000 });
  const bad = await fakeRig(parseTranscript('login: \\c\n@in root\nPassword:\\c\n@in-secret pw\nLogin incorrect\nlogin: \\c'));
  t.teardown(bad.cleanup);
  await t.rejects(loginOnConsole(bad.session, { user: 'root', password: 'pw', timeoutMs: 5000 }), /refused/);
  const nopw = await fakeRig(parseTranscript('login: \\c\n@in root\nPassword:\\c'));
  t.teardown(nopw.cleanup);
  await t.rejects(loginOnConsole(nopw.session, { user: 'root', timeoutMs: 5000 }), /asked for a password, and none is known/);
});
