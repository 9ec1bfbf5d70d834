// A pinned host key is read strictly, and an empty or garbled one never reaches ssh2: it is a
// trust failure at once (never "no host-key checking", never retried to the deadline).
import t from 'tap';
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostKeyProblem, parsePublicKeyLine, pinnedHostKey } from '../../harness/transport/host-key.ts';
import { connectSsh, SshTrustError } from '../../harness/transport/ssh.ts';
import { TrustError } from '../../harness/core/errors.ts';
import { scratch } from '../helpers/cli.ts';

t.test('what counts as a usable pinned key line', async (t) => {
  const dir = scratch(t);
  const key = (type: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'c', '-f', join(dir, type)]);
    return readFileSync(join(dir, `${type}.pub`), 'utf8').trim();
  };
  const ed = key('ed25519');
  const rsa = key('rsa');
  const ecdsa = key('ecdsa');
  for (const good of [ed, rsa, ecdsa, `[127.0.0.1]:2222 ${ed}`, ed.split(' ').slice(0, 2).join(' ')]) t.equal(hostKeyProblem(good), null, `usable: ${good.slice(0, 30)}...`);
  t.equal(parsePublicKeyLine(ed).type, 'ssh-ed25519');
  const b64 = ed.split(' ')[1];
  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['only blanks', '  \n', /empty/],
    ['no type', b64, /no key type/],
    ['type only', 'ssh-ed25519', /no key after/],
    ['not base64', 'ssh-ed25519 AAAA$$$$', /not base64/],
    ['one character changed in the encoded type', `ssh-ed25519 ${b64.slice(0, 6)}${b64[6] === 'Q' ? 'R' : 'Q'}${b64.slice(7)}`, /encoded type/],
    ['cut short', `ssh-ed25519 ${b64.slice(0, 40)}`, /51 bytes|not base64/],
    ['a key of another type under this type', `ssh-ed25519 ${rsa.split(' ')[1]}`, /encoded type/],
    ['the harness test fixture shorthand', 'ssh-ed25519 AAAA', /encoded type/],
  ];
  for (const [what, line, why] of bad) {
    t.match(hostKeyProblem(line), why, what);
    t.throws(() => parsePublicKeyLine(line), TrustError, `${what}: parsePublicKeyLine refuses it`);
  }
  t.equal(pinnedHostKey({ host: 'h', port: 22, hostKey: null }), null, 'null (explicitly unpinned) stays null');
  t.throws(() => pinnedHostKey({ host: 'h', port: 22, hostKey: '' }), TrustError, 'an empty pin is refused, not treated as no pin');
});

t.test('connectSsh with an empty or garbled pin fails at once with SshTrustError, before any attempt', async (t) => {
  // A port where nothing listens: had the pin been accepted, connectSsh would retry to the deadline.
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  for (const [what, hostKey] of [['empty', ''], ['garbled', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIPy6Fs2xoLdM56ATaMm8t5kiXrKtZ2ZUYeGHf6HY9H']] as const) {
    const started = Date.now();
    const e = await connectSsh({ host: '127.0.0.1', port, user: 'root', privateKeyPath: '/dev/null', hostKey }, { deadline: Date.now() + 20_000, connectTimeoutMs: 1_000 }).catch((x: unknown) => x);
    const took = Date.now() - started;
    t.type(e, SshTrustError, `${what}: SshTrustError (${(e as Error).message})`);
    t.match((e as Error).message, /pinned host key for 127\.0\.0\.1:\d+ is unusable/, `${what}: says the pin is unusable`);
    t.ok(took < 5_000, `${what}: at once (${took} ms), not after the 20 s deadline`);
  }
});
