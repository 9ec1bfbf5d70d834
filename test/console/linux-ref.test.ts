// The console driver on a real guest: the Linux reference guest under QEMU TCG, its root shell
// on ttyS0, our own socket chardev. Log in (attach to the shell), run commands, get their exit
// status, and keep exact output while the kernel prints into the middle of it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { NoImageError } from '../../harness/images/guest-image.ts';
import { resolveLinuxRef } from '../../vm-images/linux-ref/image.ts';
import { startBuildVm, type BuildVm } from '../../harness/images/recipes/build-vm.ts';
import { Transcript } from '../../harness/console/transcript.ts';
import { LINUX_PRINTK } from '../../harness/console/clean-text.ts';
import { ConsoleShell } from '../../harness/console/shell.ts';
import { ConsoleTimeoutError } from '../../harness/console/session.ts';

t.setTimeout(240_000);

let image;
try {
  image = await resolveLinuxRef();
} catch (e) {
  if (!(e instanceof NoImageError)) throw e;
  t.plan(0, `linux-ref is not built here (${e.message})`);
}

if (image && image.boot.kind === 'kernel') {
  const dir = mkdtempSync(join(tmpdir(), 'pvc-console-test-'));
  const consoleLog = join(dir, 'console.log');
  const transcriptPath = join(dir, 'console-transcript.jsonl');
  let vm: BuildVm | null = null;
  t.teardown(async () => {
    await vm?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  vm = await startBuildVm({
    label: 'linux-ref console test',
    consoleLog,
    transcript: new Transcript(transcriptPath),
    noise: [LINUX_PRINTK],
    log: (m) => t.comment(m),
    qemuArgs: [
      '-accel', 'tcg', '-machine', 'q35', '-m', '256', '-smp', '1', '-nodefaults', '-no-user-config', '-no-reboot',
      '-kernel', image.boot.kernel, '-initrd', image.boot.initrd,
      // loglevel=7: KERN_ERR printk reaches the serial console; printk.time=1: the
      // "[ seconds.micros] " prefix the noise filter recognises.
      '-append', 'console=ttyS0 panic=-1 loglevel=7 printk.time=1',
    ],
  });
  const session = vm.session;

  await t.test('the guest comes up and the shell attaches with a unique prompt', async (t) => {
    const ready = await session.expect(/GUEST-READY [\d.]+\n/, { timeoutMs: 90_000, step: 'boot', what: 'the ready marker' });
    t.match(ready.match[0], /GUEST-READY/);
    const sh = await ConsoleShell.attach(session, { timeoutMs: 30_000 });
    t.match(sh.prompt.source, /pvc[0-9a-f]{8}# /, 'prompt carries a nonce');
    (globalThis as { sh?: ConsoleShell }).sh = sh;
  });

  const sh = () => (globalThis as { sh?: ConsoleShell }).sh!;

  await t.test('commands give their output and exit status', async (t) => {
    t.same(await sh().run('echo hello; echo world', { timeoutMs: 20_000 }), { status: 0, output: 'hello\nworld', intact: true });
    t.same(await sh().run('false', { timeoutMs: 20_000 }), { status: 1, output: '', intact: true });
    t.equal((await sh().run('sh -c "exit 7"', { timeoutMs: 20_000 })).status, 7, 'status 7 comes through');
    const syntax = await sh().run('if then fi', { timeoutMs: 20_000 });
    t.not(syntax.status, 0, 'a syntax error is a non-zero status, not a hang');
    t.match(syntax.output, /syntax error|unexpected/, 'and its message is the output');
    t.same(await sh().run("printf 'no newline'", { timeoutMs: 20_000 }), { status: 0, output: 'no newline', intact: true }, 'output without a final newline');
    t.same(await sh().run(`echo "it's quoted" | tr a-z A-Z`, { timeoutMs: 20_000 }), { status: 0, output: "IT'S QUOTED", intact: true });
    t.same(await sh().run('echo to-stderr >&2; cd /proc; pwd', { timeoutMs: 20_000 }), { status: 0, output: 'to-stderr\n/proc', intact: true }, 'stderr too, in order');
    t.same(await sh().run('pwd', { timeoutMs: 20_000 }), { status: 0, output: '/proc', intact: true }, 'cd in one command holds for the next (same shell)');
  });

  await t.test('a wait never sees text from an earlier step, and a timeout says what it awaited', async (t) => {
    await sh().run('echo stale-marker-4711', { timeoutMs: 20_000 });
    const err = await session.expect('stale-marker-4711', { timeoutMs: 1500, step: 'stale', what: 'text printed by the previous step' }).catch((e) => e);
    t.type(err, ConsoleTimeoutError, 'text from the previous step does not match');
    t.match(err.message, /waiting for text printed by the previous step \("stale-marker-4711"\)/, 'names what it awaited');
    t.match(err.message, /step "stale"/, 'names the step');
    t.match(err.message, /last lines were/, 'shows the tail');
  });

  await t.test('kernel messages in the middle of a command do not disturb output or status', async (t) => {
    const before = readFileSync(consoleLog, 'latin1').length;
    // The kernel keeps printing (about 3 s) while the command's output crosses the console.
    const cmd =
      '(i=0; while [ $i -lt 100 ]; do echo "<3>pvconform-noise $i" > /dev/kmsg; i=$((i+1)); usleep 20000; done) >/dev/null 2>&1 & ' +
      'i=0; while [ $i -lt 400 ]; do echo "line-$i-abcdefghijklmnopqrstuvwxyz0123456789"; i=$((i+1)); done; ' +
      'sh -c "exit 5"';
    const r = await sh().run(cmd, { timeoutMs: 120_000 });
    const want = Array.from({ length: 400 }, (_, i) => `line-${i}-abcdefghijklmnopqrstuvwxyz0123456789`).join('\n');
    t.equal(r.status, 5, 'exit status survives');
    t.equal(r.output, want, 'every output line intact, no noise in it');
    t.equal(r.intact, true, 'and its checksum agrees');
    const raw = readFileSync(consoleLog, 'latin1').slice(before);
    const firstCopy = raw.slice(0, raw.indexOf('PVE'));
    const noiseInOutput = (firstCopy.match(/\] pvconform-noise \d+/g) ?? []).length;
    t.ok(noiseInOutput > 0, `the kernel really printed into the output (${noiseInOutput} messages inside its first copy)`);
    const reprints = readFileSync(transcriptPath, 'utf8').split('\n').filter((l) => l.includes('printing it again') || l.includes('printing the result again')).length;
    t.comment(`the driver asked for the output again ${reprints} time(s)`);
    // Wait out the background writer so later steps are quiet.
    await sh().run('sleep 3', { timeoutMs: 30_000 });
  });

  await t.test('the transcript records sends, receipts, matches, statuses and the timeout', async (t) => {
    const lines = readFileSync(transcriptPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const kinds = new Set(lines.map((l) => l.ev));
    for (const k of ['send', 'recv', 'wait', 'match', 'status', 'timeout']) t.ok(kinds.has(k), `has ${k} events`);
    t.ok(lines.every((l) => typeof l.t === 'string' && typeof l.ms === 'number'), 'every line has a time');
    const status = lines.filter((l) => l.ev === 'status').map((l) => l.status);
    t.same(status.slice(0, 3), [0, 1, 7], 'statuses in order');
  });
}
