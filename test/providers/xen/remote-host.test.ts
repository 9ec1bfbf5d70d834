// A Xen host given by address (the path a real dom0 takes), and the ways it cannot be reached:
// a closed port and an address nobody answers end in InfraError naming the address by the
// deadline; a refused client key and a changed host key end in SshTrustError; through a whole
// cell none of them is ever a fail. The dom0 on the other end is the nested Xen host, real.
import t from 'tap';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { XenProvider } from '../../../harness/providers/xen/provider.ts';
import { HostSession } from '../../../harness/providers/xen/host-session.ts';
import { NestedXenHost } from '../../../harness/providers/xen/nested-host.ts';
import { stageFile, IMAGE_CACHE } from '../../../harness/providers/xen/staging.ts';
import { ExitCleanup } from '../../../harness/providers/xen/exit-cleanup.ts';
import { resolveXenHost } from '../../../vm-images/xen-host/image.ts';
import { buildXenHost } from '../../../vm-images/xen-host/build.ts';
import { buildLinuxRef } from '../../../vm-images/linux-ref/build.ts';
import { resolveImage } from '../../../harness/images/resolve.ts';
import '../../../vm-images/index.ts';
import { InfraError } from '../../../harness/core/errors.ts';
import { SshTrustError } from '../../../harness/transport/ssh.ts';
import { BASE_TIMEOUTS, type Timeouts } from '../../../harness/core/timeouts.ts';
import { runCell } from '../../../harness/run/run-cell.ts';
import { providerFor } from '../../../harness/providers/registry.ts';
import { ResultSink } from '../../../harness/results/sink.ts';
import { checks } from '../../../suites/xen.4-host/index.ts';
import type { XenConfig } from '../../../harness/providers/xen/config.ts';
import type { BootSpec } from '../../../harness/providers/provider.ts';

t.setTimeout(300_000);

const FAST: Timeouts = { ...BASE_TIMEOUTS, connectMs: 1_000 };

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function remote(address: string, port: number, privateKey: string, hostKey: string): XenConfig {
  return { name: 'xen-remote', provider: 'xen', host: { address, port, user: 'root', privateKey, hostKey }, type: 'pv', disks: 0, memoryMiB: 128, cpus: 1, extraKernelArgs: '' };
}

t.test('a Xen host by address', async (t) => {
  await buildXenHost();
  await buildLinuxRef();
  const hostImage = await resolveXenHost();
  const image = await resolveImage('linux-ref');
  const dir = await mkdtemp(join(tmpdir(), 'pvconform-xen-remote-'));
  const host = await NestedXenHost.start({ image: hostImage, consoleLog: join(dir, 'host-console.log'), bootTimeoutMs: 300_000, snapshot: true, log: (m) => t.comment(m) });
  t.teardown(async () => {
    await host.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const port = host.endpoint.port;
  const good = remote('127.0.0.1', port, hostImage.files.clientKey, hostImage.hostKey);
  const spec = (config: XenConfig, timeouts = FAST): BootSpec => ({
    cellId: `linux-ref@${config.name}`,
    image,
    hypervisor: config,
    workDir: join(dir, 'work'),
    artifactsDir: join(dir, 'artifacts', 'cell'),
    runDir: dir,
    timeouts,
    log: (m) => t.comment(m),
  });
  const signal = new AbortController().signal;

  t.test('reachable with the right keys: probed as a real dom0, staged over SFTP', async (t) => {
    const session = await HostSession.open(good, { artifactsRoot: dir, connectMs: 5_000, connectDeadlineMs: 30_000, nestedBootMs: 0, snapshot: false, log: (m) => t.comment(m) });
    t.teardown(() => session.close());
    t.match(session.xenVersion, /^4\.17/, 'xl info answered');
    t.equal(session.slowness, 1, 'a host given by address is not scaled like the nested one');
    const provider = new XenProvider();
    t.equal(await provider.slowdown(good), 1, 'and its guests wait at native speed');
    t.equal(await provider.slowdown({ ...good, host: 'nested' } as XenConfig), 3, 'the nested host\'s guests wait three times longer');
    const local = join(dir, 'payload.bin');
    const payload = randomBytes(300_000);
    await writeFile(local, payload);
    const staged = await stageFile(session.dom0, local, (m) => t.comment(m));
    t.ok(staged.startsWith(`${IMAGE_CACHE}/`), `staged at ${staged}`);
    t.equal((await session.dom0.run(`stat -c %s ${staged}`, 10_000)).stdout.trim(), String(payload.length), 'dom0 has every byte');
    t.equal(await stageFile(session.dom0, local, () => t.fail('a cached file is not sent again')), staged, 'the second time it is already there');
    // The Ctrl-C path: a blocking ssh with the same pinned key undoes a cell's dom0 state.
    const exit = new ExitCleanup({ host: '127.0.0.1', port, user: 'root', privateKeyPath: hostImage.files.clientKey, hostKey: hostImage.hostKey });
    t.teardown(() => exit.close());
    t.equal(exit.runSync(`rm -rf ${IMAGE_CACHE}`), 0, 'the exit-time ssh runs');
    t.not((await session.dom0.run(`test -e ${IMAGE_CACHE}`, 10_000)).code, 0, 'and did its work on dom0');
    const wrongPin = new ExitCleanup({ host: '127.0.0.1', port, user: 'root', privateKeyPath: hostImage.files.clientKey, hostKey: (await readFile(image.ssh.privateKeyPath + '.pub', 'utf8')).trim() });
    t.teardown(() => wrongPin.close());
    t.not(wrongPin.runSync('true'), 0, 'and refuses a host whose key changed');
  });

  t.test('closed port: InfraError naming the address, by the deadline', async (t) => {
    const p = await closedPort();
    const started = Date.now();
    const e = await new XenProvider().boot(spec(remote('127.0.0.1', p, hostImage.files.clientKey, hostImage.hostKey)), signal).catch((x) => x);
    const took = Date.now() - started;
    t.ok(e instanceof InfraError && !(e instanceof SshTrustError), `InfraError: ${e.message}`);
    t.match(e.message, `127.0.0.1:${p}`);
    t.ok(took < FAST.connectMs * 3 + 3_000, `gave up at the deadline (${took} ms)`);
  });

  t.test('an address nobody answers: InfraError naming it, by the deadline', async (t) => {
    const started = Date.now();
    // TEST-NET-1 (RFC 5737): routed nowhere.
    const e = await new XenProvider().boot(spec(remote('192.0.2.1', 22, hostImage.files.clientKey, hostImage.hostKey)), signal).catch((x) => x);
    const took = Date.now() - started;
    t.ok(e instanceof InfraError && !(e instanceof SshTrustError), `InfraError: ${e.message}`);
    t.match(e.message, '192.0.2.1:22');
    t.ok(took < FAST.connectMs * 3 + 3_000, `gave up at the deadline (${took} ms)`);
  });

  t.test('a client key dom0 does not accept: SshTrustError', async (t) => {
    const key = join(dir, 'stranger');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const e = await new XenProvider().boot(spec(remote('127.0.0.1', port, key, hostImage.hostKey)), signal).catch((x) => x);
    t.ok(e instanceof SshTrustError, `SshTrustError: ${e.message}`);
    t.match(e.message, /refused/);
  });

  t.test('a changed host key: SshTrustError', async (t) => {
    const otherHostKey = (await readFile(image.ssh.privateKeyPath + '.pub', 'utf8')).trim();
    const e = await new XenProvider().boot(spec(remote('127.0.0.1', port, hostImage.files.clientKey, otherHostKey)), signal).catch((x) => x);
    t.ok(e instanceof SshTrustError, `SshTrustError: ${e.message}`);
    t.match(e.message, /does not match the pinned key/);
  });

  t.test('through a whole cell, an unreachable or untrusted host is error, never fail', async (t) => {
    const key = join(dir, 'stranger');
    for (const [why, config] of [
      ['closed port', remote('127.0.0.1', await closedPort(), hostImage.files.clientKey, hostImage.hostKey)],
      ['refused key', remote('127.0.0.1', port, key, hostImage.hostKey)],
    ] as const) {
      const runDir = await mkdtemp(join(dir, 'run-'));
      const sink = new ResultSink(runDir);
      await runCell(
        { id: `linux-ref@${config.name}`, guest: { name: 'linux-ref', withoutDrivers: [], extraKernelArgs: '' }, hypervisor: config, suites: ['xen.4-host'], checks },
        { run: 'r', plan: 'p', runDir, workRoot: join(runDir, 'work'), sink, signal, log: (_c, m) => t.comment(m), notice: (m) => t.comment(m) },
      );
      const states = sink.results.map((r) => `${r.check}=${r.state}`);
      t.equal(sink.results.length, 1 + checks.length, `${why}: a result for the boot and each check`);
      t.ok(sink.results.every((r) => r.state === 'error'), `${why}: all error (${states.join(', ')})`);
      t.match(sink.results[0].message, /127\.0\.0\.1:\d+/, `${why}: the boot result names the host`);
    }
    await (await providerFor(good, { notice: () => {} })).close?.();
  });
});
