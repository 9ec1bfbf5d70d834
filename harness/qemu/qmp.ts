// A small QMP client over a unix socket: capabilities, commands, and an event log that
// remembers events which arrive before the command that caused them returns (lab.md).
import { createConnection, type Socket } from 'node:net';
import { InfraError } from '../core/errors.ts';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void; command: string };

export class Qmp {
  private buffer = '';
  private queue: Pending[] = [];
  private closedError: Error | null = null;
  readonly events: QmpEvent[] = [];
  private eventWaiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => this.fail(new InfraError('QMP socket closed')));
    socket.on('error', (e) => this.fail(new InfraError(`QMP socket error: ${e.message}`)));
  }

  /** Connects, waits for the greeting and negotiates capabilities. */
  static async connect(path: string, deadline: number): Promise<Qmp> {
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const qmp = new Qmp(socket);
        await qmp.greeting(deadline);
        await qmp.execute('qmp_capabilities');
        return qmp;
      } catch (e) {
        last = e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new InfraError(`QMP socket ${path} not answering: ${(last as Error)?.message ?? 'timeout'}`);
  }

  private greetingSeen = false;
  private greetingWaiter: (() => void) | null = null;

  private greeting(deadline: number): Promise<void> {
    if (this.greetingSeen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new InfraError('no QMP greeting')), Math.max(0, deadline - Date.now()));
      this.greetingWaiter = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if ('QMP' in msg) {
        this.greetingSeen = true;
        this.greetingWaiter?.();
      } else if ('event' in msg) {
        this.events.push(msg as unknown as QmpEvent);
        for (const w of this.eventWaiters.splice(0)) w();
      } else if ('return' in msg || 'error' in msg) {
        const p = this.queue.shift();
        if (!p) continue;
        if ('error' in msg) {
          const err = msg.error as { class?: string; desc?: string };
          p.reject(new InfraError(`QMP ${p.command}: ${err.class}: ${err.desc}`));
        } else p.resolve(msg.return);
      }
    }
  }

  private fail(e: Error): void {
    if (this.closedError) return;
    this.closedError = e;
    for (const p of this.queue.splice(0)) p.reject(e);
    for (const w of this.eventWaiters.splice(0)) w();
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new InfraError(`QMP ${command} timed out after ${timeoutMs} ms`)), timeoutMs);
      this.queue.push({
        command,
        resolve: (v) => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  /** HMP through QMP, for what QMP lacks (`info usernet`). */
  hmp(commandLine: string): Promise<string> {
    return this.execute<string>('human-monitor-command', { 'command-line': commandLine });
  }

  /** Waits for an event (already seen ones count) or the deadline; null on timeout/close. */
  async waitEvent(name: string, deadline: number): Promise<QmpEvent | null> {
    for (;;) {
      const ev = this.events.find((e) => e.event === name);
      if (ev) return ev;
      if (this.closedError || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.eventWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Reads the host port slirp chose for a `hostfwd=tcp:127.0.0.1:0-:22` rule. */
export function parseUsernetHostPort(infoUsernet: string, guestPort: number): number | null {
  for (const line of infoUsernet.split('\n')) {
    const m = /TCP\[HOST_FORWARD\]\s+\d+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)/.exec(line);
    if (m && Number(m[4]) === guestPort) return Number(m[2]);
  }
  return null;
}
