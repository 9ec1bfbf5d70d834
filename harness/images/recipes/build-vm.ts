// A QEMU process driven over its serial console: used to install and configure guest images,
// and by the console driver's own tests. Its serial port is a unix socket; what the guest
// prints is recorded to the console log, which the session reads from offsets.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfraError } from '../../core/errors.ts';
import { killOnCleanup, removeOnCleanup } from '../../core/cleanup.ts';
import { ConsoleSession } from '../../console/session.ts';
import { connectSerialSocket, serialChardevArgs } from '../../console/serial-socket.ts';
import type { NoisePattern } from '../../console/clean-text.ts';
import type { Transcript } from '../../console/transcript.ts';

export interface BuildVmOptions {
  /** For messages: "openbsd-7.8 installer". */
  label: string;
  /** Console log path (kept by the caller). */
  consoleLog: string;
  transcript: Transcript;
  /** Machine, disks, network... everything but the serial port and the display. */
  qemuArgs: string[];
  noise?: readonly NoisePattern[];
  log(message: string): void;
  qemuBinary?: string;
}

export interface VmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BuildVm {
  session: ConsoleSession;
  pid: number;
  /** Settles when QEMU exits (never rejects). */
  exited: Promise<VmExit>;
  /** Ends QEMU (TERM, then KILL after a grace period) and removes the socket folder. */
  stop(): Promise<void>;
}

export async function startBuildVm(opts: BuildVmOptions): Promise<BuildVm> {
  // Socket paths are limited to ~107 bytes, so the socket lives in a short temp folder.
  const sockDir = mkdtempSync(join(tmpdir(), 'pvc-serial-'));
  const unRemove = removeOnCleanup(sockDir);
  const socketPath = join(sockDir, 's');
  const args = [...opts.qemuArgs, '-display', 'none', ...serialChardevArgs(socketPath)];
  const binary = opts.qemuBinary ?? 'qemu-system-x86_64';
  opts.transcript.write({ ev: 'note', step: 'qemu', text: `${binary} ${args.join(' ')}` });
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<VmExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const pid = child.pid ?? -1;
  const unKill = pid > 0 ? killOnCleanup(pid, `${opts.label}: QEMU ${pid}`) : () => {};

  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    await session.dispose().catch(() => {});
    unKill();
    rmSync(sockDir, { recursive: true, force: true });
    unRemove();
  };

  const session = new ConsoleSession({ logPath: opts.consoleLog, input: null, transcript: opts.transcript, noise: opts.noise });
  void exited.then(({ code, signal }) => {
    const why = stopping ? 'QEMU was stopped' : `QEMU exited (${signal ? `signal ${signal}` : `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`;
    session.close(why);
  });

  const first = await Promise.race([
    spawnError.then((e) => ({ kind: 'error' as const, e })),
    exited.then((x) => ({ kind: 'exit' as const, x })),
    connectSerialSocket(socketPath, { logPath: opts.consoleLog, connectTimeoutMs: 15_000 }).then((input) => ({ kind: 'ok' as const, input })),
  ]).catch((e: Error) => ({ kind: 'error' as const, e }));
  if (first.kind !== 'ok') {
    await stop();
    if (first.kind === 'error' && (first.e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InfraError(`${binary} not found. Fix: apt-get install qemu-system-x86`);
    const detail = first.kind === 'exit' ? `exited at once (code ${first.x.code}): ${stderr.trim()}` : first.e.message;
    throw new InfraError(`${opts.label}: QEMU did not start: ${detail}`);
  }
  session.attachInput(first.input);
  opts.log(`${opts.label}: QEMU ${pid} started; console log ${opts.consoleLog}`);
  return { session, pid, exited, stop };
}
