// Benchmarks: each figure is printed as a ratio against a baseline measured in the same run on
// the same machine, never as an absolute pass/fail threshold.
//   1. boot: the provider's boot-to-SSH against bare QEMU reaching the guest's ready marker
//      (the harness's overhead: overlays, QMP, port read-back, SSH confirmation);
//   2. command round trip: ssh2 on one reused connection against a new OpenSSH process per
//      command (what most tools of this kind do);
//   3. memory: the harness's resident set while driving a guest, against an idle Node process.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { resolveLinuxRef } from '../vm-images/linux-ref/image.ts';
import { waitForText } from '../harness/qemu/console-log.ts';
import { QemuProvider } from '../harness/providers/qemu/provider.ts';
import type { QemuConfig } from '../harness/providers/qemu/config.ts';
import { BASE_TIMEOUTS, scaled } from '../harness/core/timeouts.ts';
import { connectSsh } from '../harness/transport/ssh.ts';
import { installSignalCleanup, killOnCleanup, removeOnCleanup } from '../harness/core/cleanup.ts';

installSignalCleanup();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const EXECS = Number(process.env.BENCH_EXECS ?? 30);
const image = await resolveLinuxRef();
if (image.boot.kind !== 'kernel') throw new Error('linux-ref is a direct-boot image');
const scratch = mkdtempSync(join(tmpdir(), 'pvconform-bench-'));
removeOnCleanup(scratch);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bareQemuToMarker(i: number): Promise<number> {
  const log = join(scratch, `bare-${i}.log`);
  const started = Date.now();
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', '-accel', 'tcg', '-machine', 'q35', '-cpu', 'max', '-m', '512', '-nodefaults', '-no-user-config', '-display', 'none',
    '-serial', `file:${log}`, '-no-reboot', '-kernel', image.boot.kind === 'kernel' ? image.boot.kernel : '', '-initrd', image.boot.kind === 'kernel' ? image.boot.initrd : '', '-append', 'console=ttyS0 panic=-1 quiet',
    '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0', '-device', 'virtio-rng-pci'], { stdio: 'ignore' });
  const un = killOnCleanup(child.pid!, 'bench QEMU');
  const ok = await waitForText(log, 'GUEST-READY', Date.now() + 120_000);
  const ms = Date.now() - started;
  child.kill('SIGKILL');
  un();
  if (!ok) throw new Error('bare QEMU: no ready marker');
  return ms;
}

async function providerBoot(i: number) {
  return new QemuProvider().boot(
    {
      cellId: `bench-${i}`, image,
      hypervisor: { name: 'bench', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices: ['net', 'rng'], extraKernelArgs: '' },
      workDir: join(scratch, `w${i}`), artifactsDir: join(scratch, `a${i}`), runDir: scratch, timeouts: scaled(BASE_TIMEOUTS, 2), log: () => {},
    },
    new AbortController().signal,
  );
}

const bare: number[] = [];
const ours: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bare.push(await bareQemuToMarker(i));
  const m = await providerBoot(i);
  ours.push(m.bootToSshMs);
  await m.stop();
}

// Round trips on one live guest.
const m = await providerBoot(99);
const sh = await connectSsh(m.ssh, { deadline: Date.now() + 20_000, connectTimeoutMs: 5_000 });
let t0 = Date.now();
for (let i = 0; i < EXECS; i++) await sh.exec('true');
const ssh2Ms = (Date.now() - t0) / EXECS;
const knownHosts = join(scratch, 'known_hosts');
writeFileSync(knownHosts, `[127.0.0.1]:${m.ssh.port} ${m.ssh.hostKey}\n`);
t0 = Date.now();
for (let i = 0; i < EXECS; i++)
  execFileSync('ssh', ['-q', '-p', String(m.ssh.port), '-i', m.ssh.privateKeyPath, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, `root@127.0.0.1`, 'true']);
const opensshMs = (Date.now() - t0) / EXECS;
const rssDriving = process.memoryUsage().rss;
await sh.close();
await m.stop();
const idleRss = Number(execFileSync(process.execPath, ['-e', 'console.log(process.memoryUsage().rss)'], { encoding: 'utf8' }).trim());
rmSync(scratch, { recursive: true, force: true });

const row = (name: string, baseline: string, b: number, o: number, unit: string) =>
  console.log(`${name.padEnd(22)} baseline (${baseline}) ${b.toFixed(0)} ${unit}; pvconform ${o.toFixed(0)} ${unit}; ratio ${(o / b).toFixed(2)}`);
console.log(`pvconform bench (TCG, ${ROUNDS} boots each, ${EXECS} execs)`);
row('boot to SSH', 'bare QEMU to ready marker', median(bare), median(ours), 'ms');
row('command round trip', 'new ssh process each', opensshMs, ssh2Ms, 'ms');
row('resident memory', 'idle node', idleRss / 2 ** 20, rssDriving / 2 ** 20, 'MiB');
