// Benchmarks: each figure is printed as a ratio against a baseline measured in the same run on
// the same machine, never as an absolute pass/fail threshold (the machine may be shared; the
// load average is printed beside the figures).
//   boot            provider boot to SSH          vs bare QEMU (same command line) to its ready marker
//   boot+ssh        provider boot to SSH          vs bare QEMU to marker + one ssh2 connection
//   round trip      ssh2 exec on one connection   vs a new OpenSSH process per command
//   virtio.4 check  a check with facts gathered   vs one exec of `true` (and its overhead over its own execs)
//   cell            one cell end to end           vs bare boot to SSH (alternating) + the guest's own command time
//   restore         snapshot restore to SSH       vs the same guest's cold boot to SSH
//   save            savevm at readiness           vs the same guest's cold boot to SSH
//   jobs            4 cells, --jobs 2             vs the same 4 cells, --jobs 1
//   memory          peak RSS of a running cell's QEMU vs one idle QEMU at its ready marker
//   xen restore     (--xen) a domU restored (xl restore) to SSH vs the same domU made again (xl create) to SSH
// `--json` prints the figures as one JSON object instead.
import '../vm-images/index.ts';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg, availableParallelism } from 'node:os';
import { resolveLinuxRef } from '../vm-images/linux-ref/image.ts';
import { waitForText } from '../harness/qemu/console-log.ts';
import { QemuProvider } from '../harness/providers/qemu/provider.ts';
import { qemuArgs } from '../harness/providers/qemu/command-line.ts';
import type { QemuConfig } from '../harness/providers/qemu/config.ts';
import { BASE_TIMEOUTS, scaled } from '../harness/core/timeouts.ts';
import { connectSsh } from '../harness/transport/ssh.ts';
import type { ExecOptions, Shell } from '../harness/core/shell.ts';
import { installSignalCleanup, killOnCleanup, removeOnCleanup } from '../harness/core/cleanup.ts';
import { matrixConfig } from '../harness/config/schema.ts';
import { makePlan } from '../harness/plan/plan.ts';
import { runPlan } from '../harness/run/run-plan.ts';
import { runCell } from '../harness/run/run-cell.ts';
import { ResultSink } from '../harness/results/sink.ts';
import type { Progress } from '../harness/run/progress.ts';
import type { CheckContext } from '../harness/core/checks.ts';
import { linuxAdapter } from '../harness/guests/linux/adapter.ts';
import { bootMessagesOnce } from '../suites/probe/gather.ts';
import { checks as virtioChecks } from '../suites/virtio.4/index.ts';
import { benchXen, type XenFigures } from './xen.ts';

installSignalCleanup();
const JSON_OUT = process.argv.includes('--json');
const XEN = process.argv.includes('--xen');
// Three rounds: a median of two would be the slower of the pair.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EXECS = Number(process.env.BENCH_EXECS ?? 20);
const say = (s: string) => { if (!JSON_OUT) process.stderr.write(`# ${s}\n`); };
const image = await resolveLinuxRef();
if (image.boot.kind !== 'kernel' || !image.dataDiskBase) throw new Error('linux-ref is a direct-boot image with a data disk');
const scratch = mkdtempSync(join(tmpdir(), 'pvconform-bench-'));
removeOnCleanup(scratch);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const timeouts = scaled(BASE_TIMEOUTS, 2);
const config: QemuConfig = { name: 'bench', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices: ['net', 'blk', 'scsi', 'console', 'balloon', 'rng'], extraKernelArgs: '' };
const load = () => loadavg()[0].toFixed(2);
const loadAt: Record<string, string> = { start: load() };

/** VmHWM (peak resident set) of a process, in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The QEMU process whose command line names `needle` (a cell's scratch folder). */
function qemuPidMentioning(needle: string): number {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.startsWith('qemu-system') && cmd.includes(needle)) return Number(p);
    } catch { /* gone */ }
  }
  throw new Error(`no QEMU mentioning ${needle}`);
}

/** Bare QEMU: the provider's own command line, started by hand with no overlays made, no QMP
 *  handshake and no port read-back; to the ready marker, then (optionally) one ssh2 connection. */
async function bareBoot(i: number): Promise<{ markerMs: number; sshMs: number; idleRssMiB: number }> {
  const dir = join(scratch, `bare-${i}`);
  const base = `${image.dataDiskBase},snapshot=on`;
  const args = qemuArgs(image, config, { consoleLog: join(scratch, `bare-${i}.log`), qmpSocket: join(scratch, `bare-${i}.qmp`), systemOverlay: null, blkOverlay: base, scsiOverlay: base, virtconsoleLog: join(scratch, `bare-${i}.vc`) }, { accel: 'tcg', mac: '52:54:00:00:00:01', extraKernelArgs: '' });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const fixed = args.map((a) => a.replace('hostfwd=tcp:127.0.0.1:0-:22', `hostfwd=tcp:127.0.0.1:${port}-:22`));
  const started = Date.now();
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...fixed], { stdio: 'ignore' });
  const un = killOnCleanup(child.pid!, 'bench QEMU');
  try {
    if (!(await waitForText(join(scratch, `bare-${i}.log`), image.readyMarker!, started + timeouts.bootMs))) throw new Error('bare QEMU: no ready marker');
    const markerMs = Date.now() - started;
    const sh = await connectSsh({ host: '127.0.0.1', port, user: image.ssh.user, privateKeyPath: image.ssh.privateKeyPath, hostKey: image.ssh.hostKey }, { deadline: Date.now() + 60_000, connectTimeoutMs: 10_000 });
    const sshMs = Date.now() - started;
    await sh.close();
    const idleRssMiB = peakRssMiB(qemuPidMentioning(`bare-${i}.log`));
    return { markerMs, sshMs, idleRssMiB };
  } finally {
    child.kill('SIGKILL');
    un();
    void dir;
  }
}

const providerLog: string[] = [];
function providerBoot(i: number, freshPerSuite = false) {
  return new QemuProvider().boot(
    { cellId: `bench-${i}`, image, hypervisor: config, workDir: join(scratch, `w${i}`), artifactsDir: join(scratch, `a${i}`), runDir: scratch, timeouts, log: (m) => providerLog.push(m), freshPerSuite },
    new AbortController().signal,
  );
}

/** A Shell that adds up the guest-side time of every command run through it. */
function counting(sh: Shell): Shell & { execMs: number; execs: number } {
  const c = {
    execMs: 0,
    execs: 0,
    async exec(command: string, options?: ExecOptions) {
      const r = await sh.exec(command, options);
      c.execMs += r.durationMs;
      c.execs++;
      return r;
    },
    upload: (l: string, r: string) => sh.upload(l, r),
    close: () => sh.close(),
  };
  return c;
}

const silent: Progress = { cellStart() {}, log() {}, notice() {}, result() {}, cellEnd() {} };

// 1. Boot: bare against the provider, alternating so load drift hits both alike.
say('boots: bare QEMU and the provider, alternating');
const bare: Array<Awaited<ReturnType<typeof bareBoot>>> = [];
const ours: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bare.push(await bareBoot(i));
  const m = await providerBoot(i);
  ours.push(m.bootToSshMs);
  await m.stop();
}
const bareMarker = median(bare.map((b) => b.markerMs));
const bareSsh = median(bare.map((b) => b.sshMs));
const coldBoot = median(ours);
loadAt.afterBoots = load();

// 2. One live guest, booted with a saved state: round trips, checks, restores, memory.
say('one live guest: round trips, virtio.4 checks, restores');
const live = await providerBoot(99, true);
const saveMs = Number(/guest state saved in (\d+) ms/.exec(providerLog.join('\n'))?.[1] ?? NaN);
// This guest's own cold boot to SSH (less the save made on the way): the baseline measured beside its restores.
const liveColdMs = live.bootToSshMs - saveMs;
let sh = live.shell!;
let t0 = Date.now();
for (let i = 0; i < EXECS; i++) await sh.exec('true');
const ssh2Ms = (Date.now() - t0) / EXECS;
const trueExec: number[] = [];
for (let i = 0; i < EXECS; i++) trueExec.push((await sh.exec('true')).durationMs);
const knownHosts = join(scratch, 'known_hosts');
writeFileSync(knownHosts, `[127.0.0.1]:${live.ssh.port} ${live.ssh.hostKey}\n`);
const opensshRounds = Math.max(3, Math.floor(EXECS / 4));
t0 = Date.now();
for (let i = 0; i < opensshRounds; i++)
  execFileSync('ssh', ['-q', '-p', String(live.ssh.port), '-i', live.ssh.privateKeyPath, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, 'root@127.0.0.1', 'true']);
const opensshMs = (Date.now() - t0) / opensshRounds;

// virtio.4 checks on a guest life whose facts are gathered: each check's time against its own execs.
const checkRows: Array<{ id: string; ms: number; execMs: number; overheadMs: number }> = [];
{
  const csh = counting(sh);
  const ctx: CheckContext = { cell: 'bench', sh: csh, guest: linuxAdapter, offers: live.offers, saveArtifact: async () => '' };
  const factsStart = Date.now();
  await bootMessagesOnce(ctx);
  const factsMs = Date.now() - factsStart;
  say(`facts gathered in ${factsMs} ms (one command)`);
  for (const check of virtioChecks) {
    const runs: Array<{ ms: number; execMs: number }> = [];
    for (let i = 0; i < 5; i++) {
      csh.execMs = 0;
      const s = performance.now();
      const v = await check.run(ctx);
      if (v.state !== 'pass') throw new Error(`${check.id}: ${v.state}: ${v.message}`);
      runs.push({ ms: performance.now() - s, execMs: csh.execMs });
    }
    const ms = median(runs.map((r) => r.ms));
    const execMs = median(runs.map((r) => r.execMs));
    checkRows.push({ id: check.id, ms, execMs, overheadMs: median(runs.map((r) => r.ms - r.execMs)) });
  }
}

// Restores: a fresh guest to SSH, against this guest's own cold boot.
const restores: number[] = [];
for (let i = 0; i < ROUNDS + 1; i++) {
  await sh.close();
  const s = Date.now();
  sh = await live.restoreFresh!();
  restores.push(Date.now() - s);
  await sh.exec('true');
}
// The guest's own command time of one cell (facts, then every virtio.4 check), on a fresh life.
let ownExecMs = 0;
{
  await sh.close();
  sh = await live.restoreFresh!();
  const csh = counting(sh);
  const ctx: CheckContext = { cell: 'bench', sh: csh, guest: linuxAdapter, offers: live.offers, saveArtifact: async () => '' };
  await bootMessagesOnce(ctx);
  for (const check of virtioChecks) await check.run(ctx);
  ownExecMs = csh.execMs;
}
const cellPeakRss = peakRssMiB(qemuPidMentioning(join(scratch, 'w99')));
await sh.close();
await live.stop();

// 3. One cell end to end (the default matrix's cell, tcg), alternating with bare boots to SSH so
//    that both see the same load.
say('one cell end to end, alternating with bare boots');
const plan1 = await makePlan(matrixConfig().parse({ hypervisors: [{ ...config, name: 'qemu' }], guests: [{ name: 'linux-ref' }], suites: ['virtio.4'] }), 'bench');
const cellRuns: Array<{ cellMs: number; bootToSshMs: number }> = [];
const bareBeside: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bareBeside.push((await bareBoot(100 + i)).sshMs);
  const cellDir = mkdtempSync(join(scratch, 'cell-'));
  const f = await runCell(plan1.cells[0], { run: 'bench', plan: plan1.hash, runDir: cellDir, workRoot: cellDir, sink: new ResultSink(cellDir), signal: new AbortController().signal, log: () => {}, notice: () => {} });
  cellRuns.push({ cellMs: f.cellMs, bootToSshMs: f.bootToSshMs ?? NaN });
}
const cellMs = median(cellRuns.map((c) => c.cellMs));
const cellBoot = median(cellRuns.map((c) => c.bootToSshMs));
const bareSshBeside = median(bareBeside);

// 4. Parallel cells.
say('4 cells, --jobs 1 then --jobs 2');
const plan4 = await makePlan(
  matrixConfig().parse({ hypervisors: [{ ...config, name: 'qemu' }], guests: ['a', 'b', 'c', 'd'].map((n) => ({ name: `ref-${n}`, image: 'linux-ref' })), suites: ['virtio.4'] }),
  'bench',
);
const timedPlan = async (jobs: number) => {
  const dir = mkdtempSync(join(scratch, `jobs${jobs}-`));
  const s = Date.now();
  const o = await runPlan({ plan: plan4, runDir: dir, signal: new AbortController().signal, progress: silent, jobs });
  const ms = Date.now() - s;
  // A cell that did not pass still took its time; say why, and keep the figure.
  const notPassed = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cell: string; check: string; state: string; message: string }).filter((r) => r.state !== 'pass');
  for (const r of notPassed.filter((x) => x.state !== 'skip')) say(`--jobs ${jobs}: ${r.cell} ${r.check} ${r.state}: ${r.message.split('\n')[0]}`);
  return { ms, busy: o.coreUse?.busy ?? NaN, notPassed: notPassed.length };
};
loadAt.jobs1 = load();
const jobs1 = await timedPlan(1);
loadAt.afterJobs1 = load();
loadAt.jobs2 = load();
const jobs2 = await timedPlan(2);
loadAt.end = load();

// 5. Xen (opt-in: the nested host takes a minute to boot the first time).
let xen: XenFigures | null = null;
if (XEN) {
  say('Xen: a domU restored from its saved state, against the same domU made again');
  xen = await benchXen(image, ROUNDS);
  loadAt.afterXen = load();
}

const idleNodeRss = Number(execFileSync(process.execPath, ['-e', 'console.log(process.memoryUsage().rss)'], { encoding: 'utf8' }).trim()) / 2 ** 20;
const harnessRss = process.memoryUsage().rss / 2 ** 20;
rmSync(scratch, { recursive: true, force: true });

const worstCheck = checkRows.reduce((a, b) => (b.overheadMs > a.overheadMs ? b : a));
const slowestCheck = checkRows.reduce((a, b) => (b.ms > a.ms ? b : a));
const cellBaseline = bareSshBeside + ownExecMs;
const figures = {
  machine: { cores: availableParallelism(), load1: loadAt },
  bootToSsh: { ms: coldBoot, baseline: 'bare QEMU to ready marker', baselineMs: bareMarker, ratio: coldBoot / bareMarker },
  bootToSshVsBareSsh: { ms: coldBoot, baseline: 'bare QEMU to marker + one ssh2 connection', baselineMs: bareSsh, ratio: coldBoot / bareSsh },
  commandRoundTrip: { ms: ssh2Ms, baseline: 'a new ssh process per command', baselineMs: opensshMs, ratio: ssh2Ms / opensshMs },
  virtioCheck: { ms: slowestCheck.ms, check: slowestCheck.id, baseline: 'one exec of true', baselineMs: median(trueExec), ratio: slowestCheck.ms / median(trueExec), worstOverheadMs: worstCheck.overheadMs, worstOverheadCheck: worstCheck.id, checks: checkRows },
  cellEndToEnd: { ms: cellMs, baseline: 'bare boot to SSH + the guest\'s own command time', baselineMs: cellBaseline, ratio: cellMs / cellBaseline, bootToSshMs: cellBoot, bareBootToSshMs: bareSshBeside, ownCommandMs: ownExecMs, runs: cellRuns, bareRuns: bareBeside },
  restoreToSsh: { ms: median(restores), baseline: 'the same guest\'s cold boot to SSH', baselineMs: liveColdMs, ratio: median(restores) / liveColdMs, all: restores },
  saveAtReadiness: { ms: saveMs, baseline: 'the same guest\'s cold boot to SSH', baselineMs: liveColdMs, ratio: saveMs / liveColdMs, note: 'savevm once per cell, only when it runs more than one suite' },
  jobs: { ms: jobs2.ms, baseline: '4 cells, --jobs 1', baselineMs: jobs1.ms, ratio: jobs2.ms / jobs1.ms, coresBusy: { jobs1: jobs1.busy, jobs2: jobs2.busy }, notPassed: { jobs1: jobs1.notPassed, jobs2: jobs2.notPassed } },
  memory: { mib: cellPeakRss, baseline: 'one idle QEMU at its ready marker (peak RSS)', baselineMib: median(bare.map((b) => b.idleRssMiB)), ratio: cellPeakRss / median(bare.map((b) => b.idleRssMiB)) },
  harnessMemory: { mib: harnessRss, baseline: 'idle node', baselineMib: idleNodeRss, ratio: harnessRss / idleNodeRss },
  ...(xen
    ? {
        xenRestoreToSsh: { ms: xen.restoreToSshMs, baseline: 'the same domU destroyed and made again (xl create) to SSH', baselineMs: xen.coldBootToSshMs, ratio: xen.restoreToSshMs / xen.coldBootToSshMs, all: xen.restores, firstCreateToSshMs: xen.createToSshMs, steps: xen.restoreSteps },
        xenSaveAtReadiness: { ms: xen.saveMs, mib: xen.saveMiB, baseline: 'the same domU made again (xl create) to SSH', baselineMs: xen.coldBootToSshMs, ratio: xen.saveMs / xen.coldBootToSshMs },
      }
    : {}),
};

if (JSON_OUT) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  const row = (name: string, f: { ratio: number; baseline: string }, value: string, base: string, extra = '') =>
    console.log(`${name.padEnd(20)} ${value.padStart(10)} vs ${base.padStart(10)} (${f.baseline})  ratio ${f.ratio.toFixed(2)}${extra}`);
  const ms = (x: number) => `${Math.round(x)} ms`;
  console.log(`pvconform bench (TCG, ${figures.machine.cores} cores, load ${loadAt.start} at start, ${loadAt.end} at end; ${ROUNDS} boots each, ${EXECS} execs)`);
  row('boot to SSH', figures.bootToSsh, ms(coldBoot), ms(bareMarker));
  row('boot to SSH', figures.bootToSshVsBareSsh, ms(coldBoot), ms(bareSsh));
  row('command round trip', figures.commandRoundTrip, ms(ssh2Ms), ms(opensshMs));
  row('virtio.4 check', figures.virtioCheck, `${slowestCheck.ms.toFixed(1)} ms`, `${median(trueExec).toFixed(1)} ms`, `  [slowest: ${slowestCheck.id}; worst harness overhead over its own execs ${worstCheck.overheadMs.toFixed(2)} ms (${worstCheck.id})]`);
  row('one cell end to end', figures.cellEndToEnd, ms(cellMs), ms(cellBaseline), `  [its boot to SSH ${ms(cellBoot)}; bare boot to SSH ${ms(bareSshBeside)} + own commands ${ms(ownExecMs)}]`);
  row('restore to SSH', figures.restoreToSsh, ms(median(restores)), ms(liveColdMs));
  row('save at readiness', figures.saveAtReadiness, ms(saveMs), ms(liveColdMs));
  row('4 cells --jobs 2', figures.jobs, ms(jobs2.ms), ms(jobs1.ms), `  [cores busy ${Math.round(jobs1.busy * 100)}% at --jobs 1, ${Math.round(jobs2.busy * 100)}% at --jobs 2; load ${loadAt.jobs1} / ${loadAt.jobs2}${jobs1.notPassed + jobs2.notPassed ? `; results not pass: ${jobs1.notPassed} / ${jobs2.notPassed}` : ''}]`);
  row('peak RSS per cell', figures.memory, `${cellPeakRss.toFixed(0)} MiB`, `${figures.memory.baselineMib.toFixed(0)} MiB`);
  row('harness RSS', figures.harnessMemory, `${harnessRss.toFixed(0)} MiB`, `${idleNodeRss.toFixed(0)} MiB`);
  if (figures.xenRestoreToSsh && figures.xenSaveAtReadiness) {
    row('xen restore to SSH', figures.xenRestoreToSsh, ms(figures.xenRestoreToSsh.ms), ms(figures.xenRestoreToSsh.baselineMs), `  [first xl create to SSH ${ms(figures.xenRestoreToSsh.firstCreateToSshMs)}; steps: ${xen!.restoreSteps.join(' | ')}]`);
    row('xen save at readiness', figures.xenSaveAtReadiness, ms(figures.xenSaveAtReadiness.ms), ms(figures.xenSaveAtReadiness.baselineMs), `  [${figures.xenSaveAtReadiness.mib} MiB]`);
  }
  console.log(`load average (1 min) by phase: ${Object.entries(loadAt).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
