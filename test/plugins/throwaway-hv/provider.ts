// TEST DOUBLE, test only: a "hypervisor" whose guest is this host's own shell behind a real SSH
// server (ssh2) on 127.0.0.1. Enough for a run to boot, connect, check and stop with no VM.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { BootSpec, Machine, Provider } from '../../../harness/providers/provider.ts';
import type { ThrowawayConfig } from './config.ts';

const { Server, utils } = ssh2;

export class ThrowawayProvider implements Provider<ThrowawayConfig> {
  readonly family = 'throwaway-hv';
  boots = 0;

  async boot(spec: BootSpec<ThrowawayConfig>, signal: AbortSignal): Promise<Machine> {
    const started = Date.now();
    this.boots++;
    const hostKey = utils.generateKeyPairSync('ed25519');
    const allowed = utils.parseKey(readFileSync(spec.image.ssh.privateKeyPath, 'utf8'));
    if (allowed instanceof Error) throw allowed;
    const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
      client.on('error', () => {});
      client.on('authentication', (ctx) => {
        const ok = ctx.method === 'publickey' && ctx.key.data.equals(allowed.getPublicSSH());
        if (ok && ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
        return ok ? ctx.accept() : ctx.reject(['publickey']);
      });
      client.on('ready', () =>
        client.on('session', (accept) =>
          accept().on('exec', (acceptExec, _reject, info) => {
            const ch = acceptExec();
            const sh = spawn('sh', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'] });
            ch.pipe(sh.stdin);
            sh.stdout.pipe(ch, { end: false });
            sh.stderr.pipe(ch.stderr, { end: false });
            sh.on('close', (code) => {
              ch.exit(code ?? 1);
              ch.end();
            });
          }),
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
    signal.addEventListener('abort', () => void stop(), { once: true });
    return {
      ssh: {
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        user: spec.image.ssh.user,
        privateKeyPath: spec.image.ssh.privateKeyPath,
        hostKey: `ssh-ed25519 ${hostKey.public.split(/\s+/)[1] ?? ''}`.trim(),
      },
      consoleLog: '/dev/null',
      offers: { family: 'throwaway-hv', flavour: spec.hypervisor.flavour, interfaces: [], virtio: [], kvStore: null, nics: [] },
      bootToSshMs: Date.now() - started,
      artifacts: [],
      stop,
    };
  }
}
