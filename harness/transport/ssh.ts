// One ssh2 connection per machine, reused for every command (a new handshake costs ~230 ms
// of emulated crypto; an exec on a live connection ~20 ms with TCP no-delay, lab.md).
import { Client, type ConnectConfig } from 'ssh2';
import { readFile } from 'node:fs/promises';
import { InfraError, TrustError, describe } from '../core/errors.ts';
import type { ExecOptions, ExecResult, Shell, SshEndpoint } from './shell.ts';
import { pinnedHostKey, type PublicKey } from './host-key.ts';

export interface ConnectOptions {
  /** Keep trying until this wall-clock deadline (ms since epoch), never by counting attempts. */
  deadline: number;
  /** Give up one attempt after this long. */
  connectTimeoutMs: number;
  /** Default per-command timeout. */
  commandTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Failures that will not go away by trying again: a wrong host key or a refused login. */
export class SshTrustError extends TrustError {
  override name = 'SshTrustError';
}

export async function connectSsh(endpoint: SshEndpoint, opts: ConnectOptions): Promise<Shell> {
  const privateKey = await readFile(endpoint.privateKeyPath).catch((e) => {
    throw new InfraError(`cannot read SSH private key ${endpoint.privateKeyPath}: ${describe(e)}`);
  });
  // Checked once, before any attempt: a bad pin is not something retrying mends.
  const expected = pinnedHostKey(endpoint, (m) => new SshTrustError(m));
  let lastError: unknown = null;
  while (Date.now() < opts.deadline) {
    if (opts.signal?.aborted) throw new InfraError('aborted while connecting over SSH');
    const attemptStart = Date.now();
    try {
      const client = await connectOnce(endpoint, expected, privateKey, opts);
      return new SshShell(client, opts.commandTimeoutMs ?? 30_000);
    } catch (e) {
      if (e instanceof SshTrustError) throw e;
      lastError = e;
    }
    // A refused connection returns at once: pace the retries, but never past the deadline.
    const wait = Math.min(250 - (Date.now() - attemptStart), opts.deadline - Date.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  throw new InfraError(`SSH to ${endpoint.user}@${endpoint.host}:${endpoint.port} not answering by the deadline: ${describe(lastError)}`);
}

async function connectOnce(endpoint: SshEndpoint, expected: PublicKey | null, privateKey: Buffer, opts: ConnectOptions): Promise<Client> {
  let sock: NodeJS.ReadableStream | undefined;
  let jump: SshShell | undefined;
  if (endpoint.via) {
    // Reach a guest that only its host can see: a direct-tcpip channel through the host.
    jump = (await connectSsh(endpoint.via, opts)) as SshShell;
    sock = await jump.forward(endpoint.host, endpoint.port);
  }
  let keyMismatch = false;
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    privateKey,
    readyTimeout: opts.connectTimeoutMs,
    keepaliveInterval: 5_000,
    keepaliveCountMax: 3,
    sock: sock as ConnectConfig['sock'],
    hostVerifier: (key: Buffer) => {
      if (expected === null) return true;
      keyMismatch = !key.equals(expected.blob);
      return !keyMismatch;
    },
  };
  return await new Promise<Client>((resolve, reject) => {
    const client = new Client();
    const fail = (e: unknown) => {
      client.end();
      void jump?.close();
      if (keyMismatch) reject(new SshTrustError(`host key of ${endpoint.host}:${endpoint.port} does not match the pinned key (${expected?.type}); refusing to connect`));
      else if (/All configured authentication methods failed/.test(describe(e)))
        reject(new SshTrustError(`SSH login as ${endpoint.user}@${endpoint.host}:${endpoint.port} refused with key ${endpoint.privateKeyPath}`));
      else reject(e);
    };
    client.once('ready', () => {
      // Nagle's algorithm costs ~45 ms per exec on small request/response pairs.
      client.setNoDelay(true);
      client.removeListener('error', fail);
      client.on('error', () => {}); // later errors surface through exec
      if (jump) client.once('close', () => void jump!.close());
      resolve(client);
    });
    client.once('error', fail);
    client.connect(config);
  });
}

class SshShell implements Shell {
  private closed = false;
  /** Commands in flight, failed at once when the connection drops: a dead peer never closes
   *  their channels, and waiting out each command's timeout would hide the real cause. */
  private readonly pending = new Set<(e: Error) => void>();
  constructor(private readonly client: Client, private readonly defaultTimeoutMs: number) {
    client.once('close', () => {
      this.closed = true;
      for (const fail of [...this.pending]) fail(new InfraError('SSH connection lost while a command ran (the peer closed it or stopped answering keepalives)'));
    });
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const started = Date.now();
    return new Promise<ExecResult>((resolveExec, rejectExec) => {
      if (this.closed) return rejectExec(new InfraError(`SSH connection closed; cannot run: ${command}`));
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        rejectExec(new InfraError(`${e.message}: ${command}`));
      };
      this.pending.add(fail);
      const resolve = (r: ExecResult) => {
        this.pending.delete(fail);
        resolveExec(r);
      };
      const reject = (e: Error) => {
        this.pending.delete(fail);
        rejectExec(e);
      };
      const timer = setTimeout(() => {
        reject(new InfraError(`command timed out after ${timeoutMs} ms: ${command}`));
        try { stream?.close(); } catch { /* already gone */ }
      }, timeoutMs);
      let stream: import('ssh2').ClientChannel | undefined;
      this.client.exec(command, (err, ch) => {
        if (err) {
          clearTimeout(timer);
          return reject(new InfraError(`SSH exec failed: ${err.message}`));
        }
        stream = ch;
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | null = null;
        let signal: string | undefined;
        ch.on('data', (d: Buffer) => out.push(d));
        ch.stderr.on('data', (d: Buffer) => errOut.push(d));
        ch.on('exit', (c: number | null, sig?: string) => {
          code = c;
          signal = sig ?? undefined;
        });
        ch.on('close', () => {
          clearTimeout(timer);
          if (code === null && signal === undefined && this.closed)
            return reject(new InfraError(`SSH connection lost while running: ${command}`));
          resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8'), durationMs: Date.now() - started });
        });
        if (options.stdin !== undefined) ch.end(options.stdin);
        else ch.end();
      });
    });
  }

  upload(localPath: string, remotePath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) => {
        if (err) return reject(new InfraError(`SFTP unavailable: ${err.message}`));
        sftp.fastPut(localPath, remotePath, (e) => {
          sftp.end();
          if (e) reject(new InfraError(`upload ${localPath} -> ${remotePath} failed: ${e.message}`));
          else resolve();
        });
      });
    });
  }

  /** A TCP stream to host:port as seen from this machine (for `via`). */
  forward(host: string, port: number): Promise<NodeJS.ReadableStream> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => (err ? reject(new InfraError(`forward to ${host}:${port} failed: ${err.message}`)) : resolve(ch)));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.client.once('close', () => resolve());
      this.client.end();
      setTimeout(resolve, 1_000).unref();
    });
    this.closed = true;
  }
}
