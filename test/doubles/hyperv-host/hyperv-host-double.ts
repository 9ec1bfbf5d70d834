// TEST DOUBLE of a Windows Hyper-V host reached over SSH: an ssh2 Server of our own on
// 127.0.0.1 (port 0, its own host key) that accepts one client key, decodes each
// `powershell ... -EncodedCommand <base64 UTF-16LE>` it is asked to run, records it, and answers
// from HypervModel. It also stands in for the host's TCP forwarding: a direct-tcpip request to
// the guest's address, port 22, is connected to a local stand-in guest sshd.
// Nothing here has been compared with a real host; see harness/providers/hyperv/README.md.
import ssh2, { type Connection, type ServerChannel, type Server as SshServer } from 'ssh2';
const { Server, utils } = ssh2;
import { connect, type AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { HypervModel } from './hyperv-model.ts';

export interface HostDoubleOptions {
  /** Private host key (OpenSSH format). */
  hostKey: string;
  /** The one client public key accepted ("ssh-ed25519 AAAA..."). */
  authorizedKey: string;
  /** Local port of the stand-in guest sshd that the guest address forwards to. */
  guestSshPort?: number;
}

export class HypervHostDouble {
  readonly model = new HypervModel();
  /** Console reader runs so far; the first ends early to make the provider reconnect. */
  consoleRuns = 0;
  readonly consoleLines = ['pvconform test double: COM1 before the pipe dropped\r\n', 'pvconform test double: COM1 after the reader reconnected\r\n'];
  private readonly server: SshServer;
  private readonly connections = new Set<Connection>();
  private readonly openChannels = new Set<ServerChannel>();

  private constructor(private readonly o: HostDoubleOptions) {
    const allowed = utils.parseKey(o.authorizedKey);
    if (allowed instanceof Error) throw allowed;
    this.server = new Server({ hostKeys: [o.hostKey] }, (client) => {
      this.connections.add(client);
      client.on('close', () => this.connections.delete(client));
      client.on('error', () => {});
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
        const same = ctx.key.algo === allowed.type && equal(ctx.key.data, allowed.getPublicSSH());
        if (!same || (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true)) return ctx.reject(['publickey']);
        ctx.accept();
      });
      client.on('ready', () => {
        client.on('session', (accept) => {
          const session = accept();
          session.on('exec', (acceptExec, _reject, info) => this.exec(acceptExec(), info.command));
        });
        client.on('tcpip', (accept, reject, info) => {
          const guest = this.o.guestSshPort;
          if (guest === undefined || info.destIP !== this.model.guestAddress || info.destPort !== 22) return reject();
          const channel = accept();
          const socket = connect(guest, '127.0.0.1');
          socket.on('error', () => channel.destroy());
          channel.on('error', () => socket.destroy());
          channel.pipe(socket).pipe(channel);
        });
      });
    });
  }

  static async start(o: HostDoubleOptions): Promise<HypervHostDouble> {
    const d = new HypervHostDouble(o);
    await new Promise<void>((resolve) => d.server.listen(0, '127.0.0.1', () => resolve()));
    return d;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private exec(channel: ServerChannel, command: string): void {
    const script = decodeEncodedCommand(command);
    if (script === null) {
      channel.stderr.write(`'${command.split(' ')[0]}' is not recognized as an internal or external command\r\n`);
      channel.exit(1);
      channel.end();
      return;
    }
    const answer = this.model.answer(script);
    if (this.model.calls.at(-1)?.step === 'console') return this.console(channel);
    if (answer.stdout) channel.write(answer.stdout);
    if (answer.stderr) channel.stderr.write(answer.stderr);
    channel.exit(answer.code);
    channel.end();
  }

  /** The COM1 reader: the first run prints a line and ends (as if the reader gave up on a
   *  dropped pipe); later runs print a line and stay until the provider closes them. */
  private console(channel: ServerChannel): void {
    const run = this.consoleRuns++;
    channel.write(this.consoleLines[Math.min(run, this.consoleLines.length - 1)]);
    if (run === 0) {
      setTimeout(() => {
        channel.exit(0);
        channel.end();
      }, 50);
      return;
    }
    this.openChannels.add(channel);
    channel.on('close', () => this.openChannels.delete(channel));
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** `powershell ... -EncodedCommand <b64>` -> the script (base64 of UTF-16LE), or null. */
export function decodeEncodedCommand(command: string): string | null {
  const m = /^powershell(?:\.exe)?\s.*-EncodedCommand\s+([A-Za-z0-9+/=]+)\s*$/i.exec(command);
  return m ? Buffer.from(m[1], 'base64').toString('utf16le') : null;
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
