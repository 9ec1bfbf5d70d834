// The command channel into a guest (or a host), whatever carries it.

export interface ExecResult {
  code: number | null;
  /** Set when the remote command died of a signal. */
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  stdin?: string | Buffer;
}

export interface Shell {
  /** Runs a command through the remote shell. Rejects with InfraError when the channel breaks
   *  or the timeout passes; a non-zero exit is a normal result. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Copies a local file to the remote path. */
  upload(localPath: string, remotePath: string): Promise<void>;
  close(): Promise<void>;
}

/** Where an SSH server is and how to prove both ends. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  /** Path to the client's private key. */
  privateKeyPath: string;
  /** The pinned host key, one OpenSSH public-key line ("ssh-ed25519 AAAA..."); null only for a
   *  host the config trusts by a fingerprint given elsewhere. */
  hostKey: string | null;
  /** Reach this endpoint through another one (a guest private to dom0, say). */
  via?: SshEndpoint;
}
