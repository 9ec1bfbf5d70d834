// Ctrl-C during boot: the run stops, QEMU is gone, the overlays and sockets are gone, every
// planned check still gets its one result (error "interrupted") and the reports are written.
import t from 'tap';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { BIN, scratch, qemuProcessesMentioning, harnessTempDirs } from '../helpers/cli.ts';

t.setTimeout(180_000);

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  t.test(`${signal} while the guest boots leaves nothing behind`, async (t) => {
    const dir = scratch(t);
    const out = join(dir, 'run');
    const before = harnessTempDirs();
    const child = execa(BIN, ['run', '--out', out], { reject: false, all: true, env: { CI: '1' } });
    const consoleLog = join(out, 'artifacts', 'linux-ref@qemu', 'console.log');
    t.ok(await until(() => qemuProcessesMentioning(out).length > 0 && existsSync(consoleLog), 60_000), 'QEMU started');
    t.ok(await until(() => readFileSync(consoleLog, 'latin1').length > 0, 30_000), 'the guest is printing (booting)');
    const workDirs = harnessTempDirs().filter((d) => !before.includes(d));
    t.ok(workDirs.length > 0, 'the run made its scratch folder');
    child.kill(signal);
    const r = await child;
    t.equal(r.exitCode, signal === 'SIGINT' ? 130 : 143, `exits with 128+signal (output:\n${r.all})`);
    t.ok(await until(() => qemuProcessesMentioning(out).length === 0, 5_000), 'no QEMU left');
    t.same(harnessTempDirs().filter((d) => !before.includes(d)), [], 'scratch folder (overlays, QMP socket) removed');
    t.ok(existsSync(join(out, 'results.jsonl')), 'results file kept');
    const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { state: string; message: string });
    t.equal(lines.length, 8, 'every planned check still has its one result (boot/ssh and 7 checks)');
    t.ok(lines.every((l) => l.state === 'error' && /interrupted/.test(l.message)), 'each is error "interrupted"');
    for (const f of ['results.tap', 'junit.xml', 'report.html']) t.ok(existsSync(join(out, f)), `${f} written`);
    t.ok(existsSync(consoleLog), 'console log kept');
  });
