// Faults injected into a copy of the real linux-ref image: a flipped byte in each of its files,
// a garbled or empty pinned host key, a missing file, a manifest that lies. Through the real
// CLI: each is refused before boot (no QEMU starts) as an error naming the file, exit 2, and
// every planned check still gets exactly one result line. `images verify` names the same file.
import t from 'tap';
import { chmodSync, cpSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { findCachedImage } from '../../vm-images/linux-ref/build.ts';
import { sealManifest, recordFiles } from '../../harness/images/cache/file-checks.ts';
import { pvconform, qemuProcessesMentioning, scratch } from '../helpers/cli.ts';
import type { CheckResult } from '../../harness/core/results.ts';

t.setTimeout(600_000); // ~15 CLI runs, each a few seconds; more when other runs share the CPU

function flipByte(path: string, at: number): void {
  chmodSync(path, 0o644);
  const size = readFileSync(path).length;
  const offset = Math.min(at, size - 1);
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  b[0] = readFileSync(path)[offset] ^ 0x01;
  writeSync(fd, b, 0, 1, offset);
  closeSync(fd);
  chmodSync(path, 0o444);
}

/** Rewrites the manifest so its checksums agree with the (altered) files: what a careless
 *  rebuild could leave. Only the key's own check can catch a bad key then. */
async function reseal(dir: string): Promise<void> {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  delete m.manifestSha256;
  m.files = await recordFiles(dir, m.files.map((f: { path: string; role: string }) => ({ path: f.path, role: f.role })));
  chmodSync(path, 0o644);
  writeFileSync(path, sealManifest(m));
}

type Damage = [what: string, file: string, inject: (dir: string) => void | Promise<void>];
const HOST_KEY = 'keys/host_ed25519.pub';
const garble = (dir: string) => {
  const p = join(dir, HOST_KEY);
  const line = readFileSync(p, 'utf8');
  chmodSync(p, 0o644);
  // One base64 character of the key changed: still looks like a key line.
  const i = line.indexOf('AAAA') + 6;
  writeFileSync(p, line.slice(0, i) + (line[i] === 'Q' ? 'R' : 'Q') + line.slice(i + 1));
};
const empty = (dir: string) => {
  chmodSync(join(dir, HOST_KEY), 0o644);
  truncateSync(join(dir, HOST_KEY), 0);
};

const damages: Damage[] = [
  ['a flipped byte in the kernel', 'vmlinuz', (d) => flipByte(join(d, 'vmlinuz'), 1_000_000)],
  ['a flipped byte in the initramfs', 'initramfs.cpio.gz', (d) => flipByte(join(d, 'initramfs.cpio.gz'), 2_000_000)],
  ['a flipped byte in the data disk', 'data-disk.qcow2', (d) => flipByte(join(d, 'data-disk.qcow2'), 100)],
  ['a flipped byte in the client private key', 'keys/client_ed25519', (d) => flipByte(join(d, 'keys/client_ed25519'), 100)],
  ['a flipped byte in the client public key', 'keys/client_ed25519.pub', (d) => flipByte(join(d, 'keys/client_ed25519.pub'), 30)],
  ['a flipped byte in the pinned host key', HOST_KEY, (d) => flipByte(join(d, HOST_KEY), 40)],
  ['a garbled pinned host key', HOST_KEY, garble],
  ['an empty pinned host key', HOST_KEY, empty],
  ['a garbled pinned host key, manifest resealed to match', HOST_KEY, async (d) => { garble(d); await reseal(d); }],
  ['an empty pinned host key, manifest resealed to match', HOST_KEY, async (d) => { empty(d); await reseal(d); }],
  ['a flipped byte in the manifest', 'manifest.json', (d) => flipByte(join(d, 'manifest.json'), 60)],
  ['a manifest checksum edited by hand', 'manifest.json', (d) => {
    const p = join(d, 'manifest.json');
    chmodSync(p, 0o644);
    writeFileSync(p, readFileSync(p, 'utf8').replace(/("sha256": ")([0-9a-f])/, (_, a, c) => a + (c === '0' ? '1' : '0')));
  }],
  ['the manifest removed', 'manifest.json', (d) => rmSync(join(d, 'manifest.json'))],
  ['the kernel removed', 'vmlinuz', (d) => rmSync(join(d, 'vmlinuz'))],
];

t.test('damaged linux-ref images are refused before boot, exit 2, the file named, one result per planned check', async (t) => {
  const source = await findCachedImage();
  if (!source) throw new Error('linux-ref is not built: run `bin/pvconform images build linux-ref` (npm test does it first)');
  const root = scratch(t, 'pvconform-damage-');
  let faults = 0;
  let expected = 0;
  let written = 0;
  for (const [what, file, inject] of damages) {
    await t.test(what, async (t) => {
      const cache = join(root, `cache-${faults}`);
      const dir = join(cache, 'linux-ref', source.key);
      cpSync(source.dir, dir, { recursive: true });
      await inject(dir);
      faults++;
      const out = join(root, `run-${faults}`);
      const r = await pvconform(['run', '--out', out], { env: { PVCONFORM_IMAGE_CACHE: cache } });
      t.equal(r.exitCode, 2, `exit 2 (infrastructure), not a guest failure\n${r.all.slice(-600)}`);
      const planned = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).checks as string[];
      const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean);
      const results = lines.map((l) => JSON.parse(l) as CheckResult);
      expected += planned.length + 1;
      written += lines.length;
      t.same(results.map((x) => x.check).sort(), ['boot/ssh', ...planned].sort(), 'exactly one result per planned check (and boot/ssh)');
      t.ok(results.every((x) => x.state === 'error'), 'every result is error (the harness side), none fail or skip');
      const boot = results.find((x) => x.check === 'boot/ssh')!;
      t.match(boot.message, `image linux-ref is damaged: ${join(dir, file)}:`, 'boot/ssh names the image and the file');
      t.match(boot.message, /Fix: `pvconform images build linux-ref`/, 'and the fix');
      t.notOk(readdirSync(join(out, 'artifacts', 'linux-ref@qemu')).includes('console.log'), 'no console log: nothing booted');
      t.same(qemuProcessesMentioning(out), [], 'no QEMU left');
      for (const f of ['results.tap', 'junit.xml', 'report.html']) t.ok(readdirSync(out).includes(f), `${f} written`);
      const v = await pvconform(['images', 'verify', '--cache', cache]);
      t.equal(v.exitCode, 2, '`images verify` exits 2');
      t.match(v.stdout, `linux-ref/${source.key}: DAMAGED (${file})`, '`images verify` names the file');
      rmSync(cache, { recursive: true, force: true });
    });
  }
  t.equal(faults, damages.length, `faults injected: ${faults}`);
  t.equal(written, expected, `results expected ${expected}, written ${written}`);
  t.comment(`damaged-image faults: ${faults} injected, ${expected} results expected, ${written} written`);
});

t.test('the intact copy checks out: verify exits 0 (the control)', async (t) => {
  const source = await findCachedImage();
  if (!source) throw new Error('linux-ref is not built');
  const cache = join(scratch(t, 'pvconform-intact-'), 'cache');
  cpSync(source.dir, join(cache, 'linux-ref', source.key), { recursive: true });
  const v = await pvconform(['images', 'verify', '--cache', cache]);
  t.equal(v.exitCode, 0, v.all);
  t.match(v.stdout, `linux-ref/${source.key}: ok`);
});
