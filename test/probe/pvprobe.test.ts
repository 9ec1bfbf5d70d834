// The probe, built here with the host's cc under -Werror and run for real on Linux: its error
// paths (no such device, a device that is not pvbus, a file that is not xenbus, a node the user
// may not open) and its JSON, read back through the same schemas the suites use.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir, endianness } from 'node:os';
import { join } from 'node:path';
import { PROBE_SOURCE } from '../../suites/probe/build.ts';
import { parsePvbusReport, parseXenbusReport } from '../../suites/probe/report.ts';
import { InfraError } from '../../harness/core/errors.ts';

const work = mkdtempSync(join(tmpdir(), 'pvprobe-test-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const bin = join(work, 'pvprobe');

// CI's flags: any warning is a build failure. A missing compiler fails here with the command to fix it.
const CFLAGS = ['-std=gnu11', '-pedantic', '-Wall', '-Wextra', '-Werror', '-O2'];

function probe(args: string[], opts: { uid?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const argv = opts.uid === undefined ? [bin, ...args] : ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', bin, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('builds with cc -Wall -Wextra -Werror -pedantic', async (t) => {
  try {
    execFileSync('cc', [...CFLAGS, '-o', bin, PROBE_SOURCE], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    t.fail(err.code === 'ENOENT' ? 'no cc here: apt-get install -y gcc libc6-dev' : `compile failed:\n${err.stderr}`);
    return;
  }
  t.ok(existsSync(bin));
});

t.test('pvbus: a missing node and a node that is not pvbus', async (t) => {
  const r = probe(['pvbus', '-f', '/nonexistent/pvbus0', '-f', '/dev/null', '-k', 'device/vif/0/mac', '-w', 'data/x', '-v', 'v']);
  t.equal(r.code, 0, r.stderr);
  const report = parsePvbusReport(r.stdout);
  t.equal(report.platform.sysname, 'Linux');
  // Linux has no pvbus header: the probe's own numbers, which equal OpenBSD amd64's (guest-facts.md §1.1).
  t.same(
    { read: report.header.KVREAD, write: report.header.KVWRITE, type: report.header.TYPE, size: report.header.requestSize },
    { read: { value: '0xc0205601', from: 'probe' }, write: { value: '0xc0205602', from: 'probe' }, type: { value: '0xc0205603', from: 'probe' }, size: 32 },
  );
  t.equal(report.header.definesPVBUSIOC_KVTYPE, false);
  t.equal(report.header.maxsize, 65536);

  const [missing, devnull] = report.devices;
  t.same(missing.stat, { ok: false, errno: 'ENOENT' });
  t.same(missing.openRdonly, { ok: false, errno: 'ENOENT' });
  t.same(missing.calls, {}, 'no call without a descriptor');

  t.match(devnull.stat, { ok: true, kind: 'char', mode: '0666', owner: 'root' });
  t.ok(devnull.openRdonly.ok && devnull.openRdwr.ok);
  // /dev/null knows no pvbus ioctl: every call ENOTTY, made with the lengths the README lists.
  const names = Object.keys(devnull.calls).sort();
  t.same(names, [
    'kvread-1', 'kvread-4096', 'kvread-64k', 'kvread-64k+1', 'kvread-keylen-0', 'kvread-keylen-4097', 'kvread-keylen-64k+1',
    'kvread-valuelen-0', 'kvread-valuelen-4097', 'kvwrite-rdonly', 'kvwrite-rdwr', 'type',
  ]);
  for (const [name, c] of Object.entries(devnull.calls)) t.match(c, { ok: false, errno: 'ENOTTY', value: null }, name);
  t.match(devnull.calls['kvread-1'], { ioctl: 'KVREAD', fd: 'rdonly', keylen: 17, valuelen: 1 });
  t.match(devnull.calls['kvread-64k+1'], { valuelen: 65537 });
  t.match(devnull.calls['kvread-keylen-0'], { keylen: 0 });
  t.match(devnull.calls['kvwrite-rdwr'], { ioctl: 'KVWRITE', fd: 'rdwr', keylen: 7, valuelen: 2 });
  t.notOk('type-short' in devnull.calls, 'no short TYPE when TYPE itself failed');
  t.notOk('kvread-exact' in devnull.calls, 'no exact-fit read without a value length');
});

t.test('pvbus: without -f it looks for /dev/pvbus0 and reports it absent', async (t) => {
  const report = parsePvbusReport(probe(['pvbus']).stdout);
  t.equal(report.devices[0].path, '/dev/pvbus0');
  t.same(report.devices[0].stat, { ok: false, errno: 'ENOENT' });
  t.equal(report.key, null);
});

const notRoot = process.getuid?.() !== 0 ? 'needs root to run the probe as another user (setpriv)' : false;

t.test('pvbus: a node the user may not open gives EACCES', { skip: notRoot }, async (t) => {
  const node = join(work, 'root-only');
  writeFileSync(node, '');
  chmodSync(node, 0o600);
  chmodSync(work, 0o755);
  chmodSync(bin, 0o755);
  const report = parsePvbusReport(probe(['pvbus', '-f', node], { uid: 65534 }).stdout);
  t.equal(report.platform.uid, 65534);
  t.same(report.devices[0].openRdonly, { ok: false, errno: 'EACCES' });
  t.same(report.devices[0].openRdwr, { ok: false, errno: 'EACCES' });
});

t.test('pvbus: strings are escaped into valid JSON', async (t) => {
  const key = 'k"\\\n\t\u0001é';
  const report = parsePvbusReport(probe(['pvbus', '-f', '/dev/null', '-k', key]).stdout);
  // Bytes above ASCII come back one \u00XX each (Latin-1): é is two UTF-8 bytes.
  t.equal(report.key, 'k"\\\n\t\u0001\u00c3\u00a9');
});

t.test('usage errors exit 2 with a message, and print no JSON', async (t) => {
  for (const args of [[], ['nope'], ['pvbus', 'extra'], ['pvbus', '-v', 'value-without-key'], ['xenbus', 'read'], ['xenbus', 'write', 'a'], ['xenbus', 'frob', 'x']]) {
    const r = probe(args);
    t.equal(r.code, 2, `pvprobe ${args.join(' ')}`);
    t.match(r.stderr, /usage|unknown mode/);
    t.equal(r.stdout, '');
  }
});

t.test('xenbus: no such file, and files that are not xenbus', async (t) => {
  const missing = parseXenbusReport(probe(['xenbus', '-f', '/nonexistent/xenbus', 'read', 'device']).stdout);
  t.same(missing.device.open, { ok: false, errno: 'ENOENT' });
  t.same(missing.ops, []);

  const file = join(work, 'plain-file');
  writeFileSync(file, '');
  for (const path of [file, '/dev/null']) {
    const report = parseXenbusReport(probe(['xenbus', '-f', path, 'read', 'device', 'write', 'data/x', 'v']).stdout);
    t.equal(report.ops.length, 2, path);
    for (const op of report.ops) t.match(op, { ok: false, stage: 'read', errno: null, detail: /got 0 of 16 bytes \(end of file\)/ }, `${path} ${op.op}`);
  }
});

// A FIFO stands in for /kern/xen/xenbus (no NetBSD Xen guest can run here): what the probe writes
// it reads straight back, so its own request comes back as the "reply". That exercises the wire
// format and the reply parsing for real; the XenStore semantics are the guest's to show.
function fifo(name: string): string {
  const path = join(work, name);
  execFileSync('mkfifo', [path]);
  return path;
}

t.test('xenbus: wire format, through a FIFO that echoes each request (test double)', async (t) => {
  const path = fifo('echo');
  const report = parseXenbusReport(probe(['xenbus', '-f', path, 'read', 'device/vif/0/mac', 'dir', 'device', 'write', 'data/k', 'val']).stdout);
  const [read, dir, write] = report.ops;
  // XS_READ = 2 with the path and its NUL; XS_DIRECTORY = 1; XS_WRITE = 11 with the value after the NUL, without its own.
  t.match(read, { ok: true, stage: null, reply: { type: 2, typeName: 'READ', reqId: 1, len: 17, payload: 'device/vif/0/mac\u0000' }, error: null });
  t.match(dir, { ok: true, reply: { type: 1, typeName: 'DIRECTORY', reqId: 2 }, entries: ['device'] });
  t.match(write, { ok: true, reply: { type: 11, typeName: 'WRITE', reqId: 3, len: 10, payload: 'data/k\u0000val' } });
});

t.test('xenbus: an in-band XS_ERROR reply, queued ahead in a FIFO (test double)', async (t) => {
  const path = fifo('error');
  // Hold the FIFO open read-write so the queued reply stays while the probe runs.
  const fd = openSync(path, 'r+');
  try {
    const payload = Buffer.from('ENOENT\0');
    const header = Buffer.alloc(16);
    const put = endianness() === 'LE' ? header.writeUInt32LE.bind(header) : header.writeUInt32BE.bind(header);
    put(16, 0); // XS_ERROR
    put(1, 4);
    put(0, 8);
    put(payload.length, 12);
    writeSync(fd, Buffer.concat([header, payload]));
    const report = parseXenbusReport(probe(['xenbus', '-f', path, 'read', 'data/missing']).stdout);
    t.match(report.ops[0], { ok: false, stage: null, errno: null, reply: { type: 16, typeName: 'ERROR', len: 7 }, error: 'ENOENT' });
  } finally {
    closeSync(fd);
  }
});

t.test('garbled probe output is the harness\'s trouble, not a verdict', async (t) => {
  t.throws(() => parsePvbusReport('not json'), InfraError);
  t.throws(() => parsePvbusReport('{"probe":"pvprobe","version":2}'), InfraError);
  t.throws(() => parseXenbusReport('{"probe":"pvprobe","version":1,"mode":"pvbus"}'), InfraError);
});
