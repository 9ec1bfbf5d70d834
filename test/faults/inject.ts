// Fault injection against the real CLI booting the real linux-ref guest under QEMU: start a run,
// wait for a point in it (the console printing, the Nth result line), break something (QEMU, the
// guest, the disk, the harness), then read what the run left behind.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, qemuProcessesMentioning } from '../helpers/cli.ts';
import { connectSsh } from '../../harness/transport/ssh.ts';
import type { Shell } from '../../harness/core/shell.ts';
import { resolveLinuxRef } from '../../vm-images/linux-ref/image.ts';

export interface RunHandle {
  out: string;
  tmp: string;
  child: ResultPromise<{ reject: false; all: true }>;
  /** Lines in results.jsonl so far. */
  lines(): number;
  consoleBytes(cell?: string): number;
  qemuPids(cell?: string): number[];
}

export function startRun(dir: string, args: string[], opts: { env?: Record<string, string>; prefix?: string[] } = {}): RunHandle {
  const out = join(dir, 'run');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const [cmd, ...pre] = opts.prefix ?? [];
  const argv = ['run', '--out', out, ...args];
  const child = (cmd ? execa(cmd, [...pre, BIN, ...argv], { reject: false, all: true, env: { CI: '1', TMPDIR: tmp, ...opts.env } }) : execa(BIN, argv, { reject: false, all: true, env: { CI: '1', TMPDIR: tmp, ...opts.env } })) as ResultPromise<{ reject: false; all: true }>;
  return {
    out,
    tmp,
    child,
    lines: () => {
      try {
        return readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    },
    consoleBytes: (cell = 'linux-ref@qemu') => {
      try {
        return statSync(join(out, 'artifacts', cell, 'console.log')).size;
      } catch {
        return 0;
      }
    },
    qemuPids: (cell?: string) => qemuProcessesMentioning(cell ? join(out, 'artifacts', cell) + '/' : out).map((l) => Number(l.split(':')[0])),
  };
}

export async function until(cond: () => boolean, ms: number, stepMs = 10): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

/** The host port QEMU forwards to the guest's SSH (QEMU picks it; `ss` shows it). */
export async function guestSshPort(pid: number): Promise<number | null> {
  const r = await execa('ss', ['-ltnpH'], { reject: false });
  for (const line of r.stdout.split('\n')) if (line.includes(`pid=${pid},`)) {
    const m = /127\.0\.0\.1:(\d+)/.exec(line);
    if (m) return Number(m[1]);
  }
  return null;
}

/** Our own SSH connection into the run's guest, to break it from inside. */
export async function guestShell(run: RunHandle, cell?: string): Promise<Shell> {
  if (!(await until(() => run.qemuPids(cell).length > 0, 120_000, 50))) throw new Error('QEMU never started');
  const pid = run.qemuPids(cell)[0];
  let port: number | null = null;
  await until(() => false, 0);
  const end = Date.now() + 120_000;
  while (port === null && Date.now() < end) {
    port = await guestSshPort(pid);
    if (port === null) await new Promise((r) => setTimeout(r, 100));
  }
  if (port === null) throw new Error('no forwarded SSH port');
  const image = await resolveLinuxRef();
  return connectSsh({ host: '127.0.0.1', port, user: image.ssh.user, privateKeyPath: image.ssh.privateKeyPath, hostKey: image.ssh.hostKey }, { deadline: Date.now() + 120_000, connectTimeoutMs: 10_000, commandTimeoutMs: 10_000 });
}

export interface Left {
  qemu: string[];
  scratch: string[];
}

/** What the run left that it should not have: QEMU processes, scratch folders (overlays, QMP
 *  sockets) in its own temp dir. */
export async function leftovers(run: RunHandle): Promise<Left> {
  await until(() => run.qemuPids().length === 0, 10_000, 100);
  const scratch = existsSync(run.tmp) ? readdirSync(run.tmp).filter((d) => d.startsWith('pvconform-')) : [];
  return { qemu: qemuProcessesMentioning(run.out), scratch };
}
