// Soak: N cells of linux-ref in a row through the real CLI (one matrix with N QEMU configs),
// watching for leaks. At every cell boundary it samples the harness's open file descriptors and
// child processes; before and after, the QEMU processes, the harness's scratch folders and the
// free disk. Not part of `npm test` (about 25 s a cell under TCG).
//   node --import tsx bench/soak.ts [cells=50]
import { execa, execaSync as run } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const CELLS = Number(process.argv[2] ?? 50);
const ROOT = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pvconform-soak-'));
const out = join(dir, 'run');
const tmp = join(dir, 'tmp');

const qemuCount = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
  try {
    return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('qemu-system') && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(out);
  } catch {
    return false;
  }
}).length;
const fds = (pid: number) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
};
const children = (pid: number) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
  try {
    return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid);
  } catch {
    return false;
  }
}).length;
const freeMiB = () => {
  const s = statfsSync(tmpdir());
  return Math.round((s.bavail * s.bsize) / 2 ** 20);
};
const lines = () => {
  try {
    return readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

const hypervisors = Array.from({ length: CELLS }, (_, i) => `  - {name: q${i + 1}, provider: qemu, accel: tcg}`).join('\n');
const matrix = join(dir, 'soak.yaml');
writeFileSync(matrix, `hypervisors:\n${hypervisors}\nguests:\n  - {name: linux-ref}\nsuites: [virtio.4]\n`);
execaSync('mkdir', ['-p', tmp]);

const before = { qemu: qemuCount(), freeMiB: freeMiB() };
const started = Date.now();
const child = execa(join(ROOT, 'bin/pvconform'), ['run', '--config', matrix, '--out', out], { reject: false, all: true, env: { CI: '1', TMPDIR: tmp } });
const samples: Array<{ cell: number; fds: number; children: number }> = [];
let seenBoots = 0;
const sampler = setInterval(() => {
  const boots = lines().filter((l) => l.includes('"check":"boot/ssh"')).length;
  if (boots > seenBoots && child.pid) {
    seenBoots = boots;
    samples.push({ cell: boots, fds: fds(child.pid), children: children(child.pid) });
  }
}, 200);
const r = await child;
clearInterval(sampler);
const results = lines().map((l) => JSON.parse(l) as { state: string; cell: string });
const states: Record<string, number> = {};
for (const x of results) states[x.state] = (states[x.state] ?? 0) + 1;
const after = { qemu: qemuCount(), freeMiB: freeMiB(), scratch: readdirSync(tmp).filter((d) => d.startsWith('pvconform-')) };
const first = samples[0];
const last = samples[samples.length - 1];
console.log(`soak: ${CELLS} cells in ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${r.exitCode}`);
console.log(`results: ${results.length} of ${CELLS * 8} planned (${Object.entries(states).map(([k, v]) => `${v} ${k}`).join(', ')})`);
console.log(`harness fds at cell 1: ${first?.fds}, at cell ${last?.cell}: ${last?.fds} (max ${Math.max(...samples.map((s) => s.fds))})`);
console.log(`harness child processes at cell 1: ${first?.children}, at cell ${last?.cell}: ${last?.children} (max ${Math.max(...samples.map((s) => s.children))})`);
console.log(`QEMU of this run before: ${before.qemu}, after: ${after.qemu}; scratch folders left: ${after.scratch.length}${after.scratch.length ? ` (${after.scratch.join(', ')})` : ''}; free disk ${before.freeMiB} MiB before, ${after.freeMiB} MiB after (the run folder with its console logs: ${execaSync('du', ['-sm', out]).split('\t')[0]} MiB)`);
rmSync(dir, { recursive: true, force: true });

function execaSync(cmd: string, args: string[]): string {
  return String(run(cmd, args).stdout);
}
