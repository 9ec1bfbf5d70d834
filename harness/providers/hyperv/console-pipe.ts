// COM1 of a Hyper-V VM into the cell's console log. Hyper-V serves the pipe only while the VM
// runs and a reader can lose it (a reboot, a dropped connection), so both ends reconnect: the
// PowerShell reader on the host reconnects to the pipe, and this side restarts the reader when
// its SSH channel ends, until stop().
import { appendFile } from 'node:fs/promises';
import { describe } from '../../core/errors.ts';
import type { SshEndpoint } from '../../core/shell.ts';
import { encodeRawCommand } from './powershell.ts';
import { consoleReaderScript } from './vm-scripts.ts';
import { openStreamingSession, type StreamingSession } from './ssh-stream.ts';

export interface ConsoleCaptureOptions {
  host: SshEndpoint;
  pipeName: string;
  logPath: string;
  connectTimeoutMs: number;
  /** Pause before restarting a reader that ended. */
  restartMs: number;
  log(message: string): void;
}

export class ConsoleCapture {
  private stopped = false;
  private session: StreamingSession | null = null;
  private loop: Promise<void> | null = null;
  private writes: Promise<void> = Promise.resolve();
  /** How many times the reader was started (1 + reconnects). */
  starts = 0;

  constructor(private readonly o: ConsoleCaptureOptions) {}

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const command = encodeRawCommand(consoleReaderScript(this.o.pipeName, 20, 24 * 3600));
    while (!this.stopped) {
      try {
        this.session ??= await openStreamingSession(this.o.host, this.o.connectTimeoutMs);
        if (this.stopped) break;
        this.starts++;
        await this.session.run(command, (chunk) => {
          this.writes = this.writes.then(() => appendFile(this.o.logPath, chunk)).catch(() => {});
        });
      } catch (e) {
        this.o.log(`COM1 reader: ${describe(e)}`);
        this.session?.close();
        this.session = null;
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, this.o.restartMs));
    }
    // stop() may have come while a connection was being opened.
    this.session?.close();
    this.session = null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.session?.close();
    this.session = null;
    await this.loop;
    await this.writes;
  }
}
