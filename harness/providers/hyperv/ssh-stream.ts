// A long-running command on the host whose output is wanted as it comes (the COM1 reader).
// The Shell interface hands back output only when a command ends, so this opens its own ssh2
// connection, with the same pinned host key as the main one.
import { Client } from 'ssh2';
import { readFile } from 'node:fs/promises';
import { InfraError, describe } from '../../core/errors.ts';
import type { SshEndpoint } from '../../core/shell.ts';
import { pinnedHostKey } from '../../transport/host-key.ts';
import { SshTrustError } from '../../transport/ssh.ts';

export interface StreamingSession {
  /** Runs `command`, handing each chunk of stdout to `onData`; resolves when the command ends. */
  run(command: string, onData: (chunk: Buffer) => void): Promise<void>;
  close(): void;
}

export async function openStreamingSession(endpoint: SshEndpoint, connectTimeoutMs: number): Promise<StreamingSession> {
  const privateKey = await readFile(endpoint.privateKeyPath);
  const expected = pinnedHostKey(endpoint);
  const client = new Client();
  let keyMismatch = false;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (e) =>
      reject(keyMismatch ? new SshTrustError(`host key of ${endpoint.host}:${endpoint.port} does not match the pinned key`) : new InfraError(`console SSH to ${endpoint.host}:${endpoint.port}: ${describe(e)}`)),
    );
    client.connect({
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      privateKey,
      readyTimeout: connectTimeoutMs,
      keepaliveInterval: 5_000,
      hostVerifier: (key: Buffer) => {
        keyMismatch = expected !== null && !key.equals(expected.blob);
        return !keyMismatch;
      },
    });
  });
  client.on('error', () => {}); // later trouble ends the running command, which run() reports
  let closed = false;
  client.once('close', () => (closed = true));
  return {
    run(command, onData) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new InfraError('console SSH connection closed'));
        client.exec(command, (err, ch) => {
          if (err) return reject(new InfraError(`console SSH exec failed: ${err.message}`));
          ch.on('data', onData);
          ch.stderr.resume();
          ch.on('close', () => resolve());
        });
      });
    },
    close() {
      client.end();
    },
  };
}
