// A QEMU process driven over its serial console: used to install and configure guest images,
// and by the console driver's own tests. Its serial port is a unix socket; what the guest
// prints is recorded to the console log, which the session reads from offsets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfraError } from '../../core/errors.ts';
import { removeOnCleanup } from '../../core/cleanup.ts';
import { QemuProcess, type QemuExit } from '../../qemu/process.ts';
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

export interface BuildVm {
  session: ConsoleSession;
  pid: number;
  /** Settles when QEMU exits (never rejects). */
  exited: Promise<QemuExit>;
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
  const qemu = QemuProcess.start({ what: `${opts.label}: QEMU`, binary, args });
  const { pid, exited } = qemu;

  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    // No QMP here: TERM (QEMU exits cleanly), then KILL after a grace period.
    await qemu.stop({ termMs: 5_000 });
    await session.dispose().catch(() => {});
    rmSync(sockDir, { recursive: true, force: true });
    unRemove();
  };

  const session = new ConsoleSession({ logPath: opts.consoleLog, input: null, transcript: opts.transcript, noise: opts.noise });
  void exited.then(() => session.close(stopping ? 'QEMU was stopped' : qemu.exitError().message));

  let input: Awaited<ReturnType<typeof connectSerialSocket>>;
  try {
    input = await qemu.whileRunning(connectSerialSocket(socketPath, { logPath: opts.consoleLog, connectTimeoutMs: 15_000 }));
  } catch (e) {
    await stop();
    throw new InfraError(`${opts.label}: QEMU did not start: ${(e as Error).message}`, { cause: e });
  }
  session.attachInput(input);
  opts.log(`${opts.label}: QEMU ${pid} started; console log ${opts.consoleLog}`);
  return { session, pid, exited, stop };
}
