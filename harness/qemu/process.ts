// The one owner of a QEMU process, for every place that starts one (the QEMU provider, the
// nested Xen host, image builds, the KVM probe): started under a parent-death signal, killed by
// the cleanup registry on Ctrl-C, reached over QMP when asked, and stopped with deadlines:
// ACPI power-off (when asked), then QMP quit, then SIGTERM, then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { InfraError } from '../core/errors.ts';
import { killOnCleanup } from '../core/cleanup.ts';
import { Qmp } from './qmp.ts';

export interface QemuStartOptions {
  /** For messages and the cleanup registry: "QEMU of linux-ref@qemu". */
  what: string;
  /** Everything after the binary's name. For QMP, include `-qmp unix:<socket>,server=on,wait=off`. */
  args: string[];
  binary?: string;
}

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How long each step of stop() may take before the next, harder one. */
export interface StopDeadlines {
  /** Press the power button first (a BSD syncs its disks) and wait this long; absent: skip it. */
  powerdownMs?: number;
  /** QMP `quit` (QEMU flushes and exits). Default 2 s; 0 skips it. */
  quitMs?: number;
  /** SIGTERM. Default 2 s; 0 skips it (a machine whose state is never needed again). */
  termMs?: number;
  /** SIGKILL, waited for. Default 5 s. */
  killMs?: number;
}

/** setpriv's exit code when it cannot run the program (util-linux: EX_EXEC_ENOENT). */
const EXEC_NOT_FOUND = 127;

export class QemuProcess {
  readonly child: ChildProcess;
  readonly binary: string;
  /** Settles when QEMU exits or could not start; never rejects. */
  readonly exited: Promise<QemuExit>;
  private stderr = '';
  private spawnError: Error | null = null;
  private unKill: () => void;
  private qmpClient: Qmp | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(readonly what: string, binary: string, args: string[]) {
    this.binary = binary;
    // setpriv --pdeathsig: QEMU dies with us even if we are SIGKILLed and no handler runs.
    this.child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.once('error', (e) => {
        this.spawnError = e;
        resolve({ code: null, signal: null });
      });
    });
    const pid = this.child.pid ?? -1;
    this.unKill = pid > 0 ? killOnCleanup(pid, what) : () => {};
  }

  static start(opts: QemuStartOptions): QemuProcess {
    return new QemuProcess(opts.what, opts.binary ?? 'qemu-system-x86_64', opts.args);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.spawnError === null;
  }

  /** The last lines QEMU wrote to stderr, joined for a one-line message. */
  stderrTail(lines = 3): string {
    return this.stderr.trim().split('\n').slice(-lines).join(' / ');
  }

  /** Why QEMU is not running, as an InfraError (call once `exited` has settled). */
  exitError(): InfraError {
    if (this.spawnError) return new InfraError(`cannot start ${this.binary} (${this.what}): ${this.spawnError.message}. Fix: apt-get install util-linux qemu-system-x86`);
    const { exitCode: code, signalCode: signal } = this.child;
    if (code === EXEC_NOT_FOUND) return new InfraError(`${this.binary} not found. Fix: apt-get install qemu-system-x86`);
    return new InfraError(`${this.what} exited (${signal ? `signal ${signal}` : `code ${code}`})${this.stderr.trim() ? `: ${this.stderrTail()}` : ''}`);
  }

  /** `work`, unless QEMU exits first: then the exit's InfraError. */
  async whileRunning<T>(work: Promise<T>): Promise<T> {
    work.catch(() => {});
    return Promise.race([work, this.exited.then(() => Promise.reject(this.exitError()))]);
  }

  /** Connects QMP on the socket given in the args, by `deadline` (ms since the epoch). */
  async connectQmp(socket: string, deadline: number): Promise<Qmp> {
    this.qmpClient = await this.whileRunning(Qmp.connect(socket, deadline));
    return this.qmpClient;
  }

  /** The QMP connection, once connectQmp() has made it (savevm, migrate, info usernet...). */
  get qmp(): Qmp | null {
    return this.qmpClient;
  }

  /** Stops QEMU, each step bounded: power button (when asked), QMP quit, SIGTERM, SIGKILL. Safe
   *  to call twice; resolves once QEMU has exited. */
  stop(deadlines: StopDeadlines = {}): Promise<void> {
    this.stopping ??= this.doStop(deadlines);
    return this.stopping;
  }

  private async doStop(d: StopDeadlines): Promise<void> {
    const qmp = this.qmpClient;
    if (this.running && d.powerdownMs !== undefined && qmp && !qmp.closed) {
      await qmp.execute('system_powerdown').catch(() => {});
      await this.waitExit(d.powerdownMs);
    }
    const quitMs = d.quitMs ?? 2_000;
    if (this.running && qmp && !qmp.closed && quitMs > 0) {
      await qmp.execute('quit', undefined, quitMs).catch(() => {});
      await this.waitExit(quitMs);
    }
    const termMs = d.termMs ?? 2_000;
    if (this.running && termMs > 0) {
      this.child.kill('SIGTERM');
      await this.waitExit(termMs);
    }
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.waitExit(d.killMs ?? 5_000);
    }
    qmp?.close();
    this.unKill();
  }

  private async waitExit(ms: number): Promise<void> {
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
}
