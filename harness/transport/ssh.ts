// One ssh2 connection per machine, reused for every command (a new handshake costs ~230 ms
// of emulated crypto; an exec on a live connection ~20 ms with TCP no-delay, lab.md).
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { readFile } from 'node:fs/promises';
import { ConnectionLostError, InfraError, TimeoutError, TrustError, describe } from '../core/errors.ts';
import type { ExecOptions, ExecResult, Shell, SshEndpoint } from '../core/shell.ts';
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

/** This host cannot reach the address at all (its own routing or firewall said so). */
export class HostUnreachableError extends InfraError {
  override name = 'HostUnreachableError';
}

const HOST_NETWORK_ERRNOS = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL']);

export async function connectSsh(endpoint: SshEndpoint, opts: ConnectOptions): Promise<Shell> {
  const privateKey = await readFile(endpoint.privateKeyPath).catch((e) => {
    throw new InfraError(`cannot read SSH private key ${endpoint.privateKeyPath}: ${describe(e)}`);
  });
  // Checked once, before any attempt: a bad pin is not something retrying mends.
  const expected = pinnedHostKey(endpoint, (m) => new SshTrustError(m));
  let lastError: unknown = null;
  let unreachableSince: number | null = null;
  while (Date.now() < opts.deadline) {
    if (opts.signal?.aborted) throw new InfraError('aborted while connecting over SSH');
    const attemptStart = Date.now();
    try {
      const client = await connectOnce(endpoint, expected, privateKey, opts);
      const reopen = () => connectOnce(endpoint, expected, privateKey, opts);
      return new SshShell(client, opts.commandTimeoutMs ?? 30_000, reopen);
    } catch (e) {
      if (e instanceof SshTrustError) throw e;
      lastError = e;
      // The host's own network refusing the address is not the far end's doing; once it has
      // lasted a whole connect timeout it is reported as such instead of waiting out the deadline.
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!HOST_NETWORK_ERRNOS.has(code)) unreachableSince = null;
      else if (unreachableSince === null) unreachableSince = Date.now();
      else if (Date.now() - unreachableSince >= opts.connectTimeoutMs)
        throw new HostUnreachableError(`${endpoint.host}:${endpoint.port} is unreachable from this host (${code}: ${describe(e)}): the host's network, not the guest`, { cause: e });
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
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return; // a second error on the way down (ssh2 can emit several)
      failed = true;
      client.end();
      void jump?.close();
      if (keyMismatch) reject(new SshTrustError(`host key of ${endpoint.host}:${endpoint.port} does not match the pinned key (${expected?.type}); refusing to connect`));
      else if ((e as { level?: string }).level === 'client-authentication')
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
    // `on`, not `once`: an unlistened second 'error' would crash the whole run.
    client.on('error', fail);
    client.connect(config);
  });
}

/** How long a timed-out command's channel may take to close after we end it; past this the
 *  whole connection is replaced rather than reused with a channel in an unknown state. */
const CHANNEL_CLOSE_GRACE_MS = 2_000;

/** The server refused (or closed) a channel before the command started. */
class ExecRefusedError extends InfraError {
  override name = 'ExecRefusedError';
}

/** Asks the server to SIGKILL a channel's command (RFC 4254 6.9). ssh2's own `signal()` sends
 *  nothing once we have sent EOF (every exec does, to end stdin), so the request goes out
 *  through its protocol object. Servers that ignore it (or kill only the session's process)
 *  still have the channel closed under them. */
function killRemote(ch: ClientChannel): void {
  const internals = ch as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal?(id: number, name: string): void } } };
  const id = internals.outgoing?.id;
  const state = internals.outgoing?.state;
  try {
    if (id !== undefined && (state === 'open' || state === 'eof')) internals._client?._protocol?.signal?.(id, 'KILL');
    else ch.signal('KILL');
  } catch {
    /* the channel is already going away */
  }
}

class SshShell implements Shell {
  private closed = false;
  private client: Client;
  /** Commands in flight, failed at once when the connection drops: a dead peer never closes
   *  their channels, and waiting out each command's timeout would hide the real cause. */
  private readonly pending = new Set<(e: Error) => void>();
  constructor(client: Client, private readonly defaultTimeoutMs: number, private readonly reopen: () => Promise<Client>) {
    this.client = client;
    this.watch(client);
  }

  private watch(client: Client): void {
    client.once('close', () => {
      if (client !== this.client) return; // a retired connection: its commands already settled
      this.closed = true;
      for (const fail of [...this.pending]) fail(new ConnectionLostError('SSH connection lost while a command ran (the peer closed it or stopped answering keepalives)'));
    });
  }

  /** Ends the current connection and opens a fresh one: used when a timed-out command's channel
   *  would not close, so no later command shares a connection with it. */
  private async replace(): Promise<void> {
    const old = this.client;
    this.client = await this.reopen();
    this.watch(this.client);
    old.end();
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    // A refused exec request means the command never started, so it is safe to ask once more
    // (dropbear now and then closes a new channel that opens as another one closes).
    const outcome = await this.execOnce(command, options).catch((e: unknown) => {
      if (e instanceof ExecRefusedError && !this.closed) return this.execOnce(command, options);
      throw e;
    });
    if (outcome.kind === 'done') return outcome.result;
    if (outcome.kind === 'stuck') {
      await this.replace().catch((e) => {
        this.closed = true;
        this.client.end();
        throw new ConnectionLostError(`SSH connection replaced after a stuck timed-out command, but reconnecting failed: ${describe(e)}`, { cause: e });
      });
    }
    throw outcome.error;
  }

  private execOnce(command: string, options: ExecOptions): Promise<{ kind: 'done'; result: ExecResult } | { kind: 'timeout' | 'stuck'; error: TimeoutError }> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const started = Date.now();
    const client = this.client;
    return new Promise((resolveExec, rejectExec) => {
      if (this.closed) return rejectExec(new ConnectionLostError(`SSH connection closed; cannot run: ${command}`));
      let settled = false;
      let channel: ClientChannel | undefined;
      let channelClosed = false;
      let timedOut = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.pending.delete(lost);
        f();
      };
      const lost = (e: Error) => settle(() => rejectExec(new ConnectionLostError(`${e.message}: ${command}`, { cause: e })));
      this.pending.add(lost);
      const timeoutError = () => new TimeoutError(`command timed out after ${timeoutMs} ms: ${command}`, timeoutMs);
      // A timed-out command is ended in the guest and its channel closed by both ends before
      // the caller may run the next one: a half-closed channel on a reused connection made the
      // next exec fail now and then ("Unable to exec").
      const endTimedOut = (ch: ClientChannel) => {
        killRemote(ch);
        try {
          ch.close();
        } catch {
          /* already closing */
        }
        const grace = setTimeout(() => settle(() => resolveExec({ kind: 'stuck', error: timeoutError() })), CHANNEL_CLOSE_GRACE_MS);
        grace.unref();
        ch.once('close', () => {
          clearTimeout(grace);
          settle(() => resolveExec({ kind: 'timeout', error: timeoutError() }));
        });
      };
      const timer = setTimeout(() => {
        timedOut = true;
        if (channel && !channelClosed) endTimedOut(channel);
        else if (channelClosed) settle(() => resolveExec({ kind: 'timeout', error: timeoutError() }));
        // Not opened yet: ended as soon as it opens (below), or replaced if it never does.
        else setTimeout(() => settle(() => resolveExec({ kind: 'stuck', error: timeoutError() })), CHANNEL_CLOSE_GRACE_MS).unref();
      }, timeoutMs);
      client.exec(command, (err, ch) => {
        if (err) {
          if (this.closed || client !== this.client) return lost(err);
          return settle(() => rejectExec(new ExecRefusedError(`SSH exec failed: ${err.message}: ${command}`, { cause: err })));
        }
        channel = ch;
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
          channelClosed = true;
          if (timedOut) return; // endTimedOut settles
          if (code === null && signal === undefined && this.closed) return lost(new Error('SSH connection lost while running'));
          settle(() => resolveExec({ kind: 'done', result: { code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8'), durationMs: Date.now() - started } }));
        });
        if (timedOut) return endTimedOut(ch);
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
          // Settle only once the SFTP channel is closed by both ends: a channel still closing
          // while the next one opens made that one fail ("Unable to exec").
          const grace = setTimeout(finish, CHANNEL_CLOSE_GRACE_MS);
          grace.unref();
          sftp.once('close', finish);
          sftp.end();
          function finish() {
            clearTimeout(grace);
            if (e) reject(new InfraError(`upload ${localPath} -> ${remotePath} failed: ${e.message}`));
            else resolve();
          }
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
