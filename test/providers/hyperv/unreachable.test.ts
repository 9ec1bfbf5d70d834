// A Hyper-V host that cannot be reached ends the cell in an error with the reason, never a
// fail: a closed port by the connect deadline (naming the address), a refused client key and a
// changed host key at once (retrying would not help and must not hide them).
import t from 'tap';
import { createServer, type AddressInfo } from 'node:net';
import { BootError, InfraError } from '../../../harness/core/errors.ts';
import { SshTrustError } from '../../../harness/transport/ssh.ts';
import { startRig } from './rig.ts';

const signal = () => new AbortController().signal;

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('closed port: InfraError naming the address, by the connect deadline', async (t) => {
  const rig = await startRig(t);
  const port = await closedPort();
  const window = 1_500;
  const started = Date.now();
  const err = await rig
    .provider({ hostConnectWindowMs: window })
    .boot(rig.spec({ hypervisor: { ...rig.config, host: { ...rig.config.host, port } } }), signal())
    .catch((e: unknown) => e);
  const took = Date.now() - started;
  t.ok(err instanceof InfraError, 'InfraError');
  t.notOk(err instanceof BootError, 'not a BootError, so not a fail');
  t.notOk(err instanceof SshTrustError, 'not a trust problem');
  t.match((err as Error).message, `127.0.0.1:${port}`, 'names the address');
  t.match((err as Error).message, 'hypervisors[name=hv-double].host', 'and the config entry');
  t.match((err as Error).message, /unreachable.*ECONNREFUSED/, 'and why');
  t.ok(took >= window - 50 && took < window + 2_000, `kept trying until the deadline, not past it (${took} ms for a ${window} ms window)`);
});

t.test('a client key the host refuses: SshTrustError at once', async (t) => {
  const rig = await startRig(t);
  const stranger = await rig.keys.make('stranger_ed25519');
  const started = Date.now();
  const err = await rig
    .provider({ hostConnectWindowMs: 10_000 })
    .boot(rig.spec({ hypervisor: { ...rig.config, host: { ...rig.config.host, privateKey: stranger.path } } }), signal())
    .catch((e: unknown) => e);
  t.ok(err instanceof SshTrustError, `SshTrustError (${(err as Error).name}: ${(err as Error).message})`);
  t.ok(err instanceof InfraError, 'which is an InfraError, so the cell is error');
  t.match((err as Error).message, /refused with key .*stranger_ed25519/);
  t.ok(Date.now() - started < 5_000, 'not retried until the 10 s window: retrying would not help');
  t.same(rig.host.model.calls, [], 'no command ran');
});

t.test('a changed host key: SshTrustError at once', async (t) => {
  const rig = await startRig(t);
  const other = await rig.keys.make('other_host_ed25519');
  const started = Date.now();
  const err = await rig
    .provider({ hostConnectWindowMs: 10_000 })
    .boot(rig.spec({ hypervisor: { ...rig.config, host: { ...rig.config.host, hostKey: other.public } } }), signal())
    .catch((e: unknown) => e);
  t.ok(err instanceof SshTrustError, `SshTrustError (${(err as Error).name}: ${(err as Error).message})`);
  t.match((err as Error).message, /host key of 127\.0\.0\.1:\d+ does not match the pinned key/);
  t.match((err as Error).message, 'hypervisors[name=hv-double].host');
  t.ok(Date.now() - started < 5_000, 'not retried');
  t.same(rig.host.model.calls, [], 'no command ran');
});
