// TEST DOUBLE: a stand-in for the guest's sshd, reached only through the host double's TCP
// forwarding (the provider connects to the guest "through the host"). It accepts the guest
// image's key and answers every command with exit 0: the provider only needs SSH to answer.
import ssh2, { type Server as SshServer } from 'ssh2';
const { Server, utils } = ssh2;
import type { AddressInfo } from 'node:net';

export class GuestSshdDouble {
  private constructor(private readonly server: SshServer) {}

  static async start(hostKey: string, authorizedKey: string): Promise<GuestSshdDouble> {
    const allowed = utils.parseKey(authorizedKey);
    if (allowed instanceof Error) throw allowed;
    const server = new Server({ hostKeys: [hostKey] }, (client) => {
      client.on('error', () => {});
      client.on('authentication', (ctx) => {
        const ok = ctx.method === 'publickey' && ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH());
        if (!ok || (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true)) return ctx.reject(['publickey']);
        ctx.accept();
      });
      client.on('ready', () =>
        client.on('session', (accept) =>
          accept().on('exec', (acceptExec) => {
            const ch = acceptExec();
            ch.exit(0);
            ch.end();
          }),
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new GuestSshdDouble(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
