// A guest's serial port as a unix socket: QEMU is the server (server=on, wait=on: the guest
// does not start until we are connected, so no output is lost), we are its one client. What
// arrives is appended to the console log file, which the session reads from offsets; what we
// write is typed into the guest.
//
// Why not QEMU's own logfile= on the chardev: when the socket is momentarily full, the serial
// device retries the byte later but QEMU has already logged it, so the log shows doubled
// characters every few hundred bytes under load (QEMU 7.2, chardev/char.c logs a write that
// failed with EAGAIN as if it had succeeded). Recording the stream ourselves has no such gap.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect, type Socket } from 'node:net';
import { InfraError } from '../core/errors.ts';
import { sleep } from '../core/wait.ts';

/** Where keystrokes go. The console session only needs this. */
export interface SerialInput {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** QEMU arguments for serial port 0 on a unix socket QEMU waits on before starting. */
export function serialChardevArgs(socketPath: string, id = 'serial0'): string[] {
  if (socketPath.includes(',')) throw new InfraError(`path ${socketPath} contains a comma, which QEMU's -chardev cannot take`);
  return ['-chardev', `socket,id=${id},path=${socketPath},server=on,wait=on`, '-serial', `chardev:${id}`];
}


export interface SerialSocketOptions {
  /** Where everything the guest prints is appended (created, or truncated). */
  logPath: string;
  /** How long to keep trying while QEMU has not created the socket yet. */
  connectTimeoutMs?: number;
  /** Characters per write and the pause between writes: a slow typist, because some guests
   *  lose characters when a 16550 is fed faster than they drain it (anita's BUGS IN QEMU). */
  chunk?: number;
  pauseMs?: number;
}

export async function connectSerialSocket(path: string, opts: SerialSocketOptions): Promise<SerialInput> {
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 10_000);
  let lastError = '';
  for (;;) {
    try {
      const sock = await new Promise<Socket>((resolve, reject) => {
        const s = connect(path);
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
      mkdirSync(dirname(opts.logPath), { recursive: true });
      return new SerialSocket(sock, openSync(opts.logPath, 'w'), opts.chunk ?? 16, opts.pauseMs ?? 2);
    } catch (e) {
      lastError = (e as Error).message;
      if (Date.now() > deadline) throw new InfraError(`could not connect to the serial console socket ${path}: ${lastError}`);
      await sleep(50);
    }
  }
}

class SerialSocket implements SerialInput {
  private closed = false;
  private error: Error | null = null;

  private logFd: number | null;

  constructor(private readonly sock: Socket, logFd: number, private readonly chunk: number, private readonly pauseMs: number) {
    this.logFd = logFd;
    sock.on('data', (d: Buffer) => {
      if (this.logFd !== null) writeSync(this.logFd, d);
    });
    sock.on('error', (e) => {
      this.error = e;
    });
    sock.on('close', () => {
      this.closed = true;
      this.closeLog();
    });
  }

  private closeLog(): void {
    if (this.logFd === null) return;
    closeSync(this.logFd);
    this.logFd = null;
  }

  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'latin1');
    for (let i = 0; i < bytes.length; i += this.chunk) {
      if (this.closed || this.error) throw new InfraError(`serial console socket closed${this.error ? `: ${this.error.message}` : ''}`);
      const part = bytes.subarray(i, i + this.chunk);
      await new Promise<void>((resolve, reject) => this.sock.write(part, (e) => (e ? reject(e) : resolve())));
      if (this.pauseMs > 0 && i + this.chunk < bytes.length) await sleep(this.pauseMs);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return this.closeLog();
    await new Promise<void>((resolve) => {
      this.sock.once('close', () => resolve());
      this.sock.end();
      setTimeout(() => {
        this.sock.destroy();
        resolve();
      }, 500).unref();
    });
    this.closed = true;
    this.closeLog();
  }
}
