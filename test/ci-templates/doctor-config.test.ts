// `pvconform doctor --config F`, the gate the CI jobs run before `run`: for each guest and
// hypervisor of the matrix, whether this host can run it and why not. Run for real here, where
// KVM does not work, no BSD image is built and no mirror is reachable.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pvconform, scratch } from '../helpers/cli.ts';
import { probeKvm } from '../../harness/qemu/kvm-probe.ts';
import { findCachedXenHost } from '../../vm-images/xen-host/build.ts';

t.setTimeout(120_000);

interface Cell {
  guest: string;
  hypervisor: string;
  ok: boolean;
  reasons: string[];
}

async function cells(config: string): Promise<{ exitCode: number | undefined; cells: Cell[]; all: string }> {
  const r = await pvconform(['doctor', '--json', '--config', config]);
  return { exitCode: r.exitCode, cells: (JSON.parse(r.stdout) as { cells: Cell[] }).cells, all: r.all };
}

t.test('ci/matrix-kvm.yaml: every cell gets a verdict with its reasons', async (t) => {
  const kvm = await probeKvm(null);
  const r = await cells('ci/matrix-kvm.yaml');
  t.equal(r.cells.length, 9, '3 guests x 3 hypervisor configs');
  const cell = (g: string, h: string) => r.cells.find((c) => c.guest === g && c.hypervisor === h)!;
  t.equal(cell('linux-ref', 'qemu').ok, true, `linux-ref on plain QEMU runs here: ${cell('linux-ref', 'qemu').reasons}`);
  for (const g of ['openbsd-7.8', 'netbsd-10.1']) {
    const c = cell(g, 'qemu');
    t.equal(c.ok, false, `${g}: not runnable`);
    t.match(c.reasons.join('\n'), new RegExp(`no image: build it with \`pvconform images build ${g}\``));
  }
  const hv = cell('linux-ref', 'qemu-hyperv');
  if (kvm.usable) t.equal(hv.ok, true);
  else {
    t.equal(hv.ok, false);
    t.match(hv.reasons.join('\n'), /^no KVM: Hyper-V enlightenments need KVM/);
  }
  t.equal(r.exitCode, 2, 'not every cell can run: exit 2');
});

t.test('Xen and Hyper-V hosts: an unreachable host and a missing nested host are named', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'm.yaml');
  writeFileSync(file, [
    'hypervisors:',
    '  - {name: xen-far, provider: xen, host: {address: 127.0.0.1, port: 1, privateKey: /k, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFP8XN0ik/RxEUET5TTzPGwb68Pk14YQiGhLs4w9ghHy"}}',
    '  - {name: xen-nested, provider: xen, host: nested}',
    '  - {name: hv-far, provider: hyperv, host: {address: 127.0.0.1, port: 1, user: u, privateKey: /k, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFP8XN0ik/RxEUET5TTzPGwb68Pk14YQiGhLs4w9ghHy"}}',
    'guests: [{name: linux-ref}]',
    'suites: [xen.4]',
    '',
  ].join('\n'));
  const r = await cells(file);
  const by = Object.fromEntries(r.cells.map((c) => [c.hypervisor, c]));
  t.match(by['xen-far'].reasons.join('\n'), /no dom0: 127\.0\.0\.1:1 does not answer SSH from here \(ECONNREFUSED\)/);
  t.match(by['hv-far'].reasons.join('\n'), /no Hyper-V host: 127\.0\.0\.1:1 .*ECONNREFUSED/);
  if (await findCachedXenHost()) t.equal(by['xen-nested'].ok, true);
  else t.match(by['xen-nested'].reasons.join('\n'), /no nested Xen host image: build it with `pvconform images build xen-host`/);
  t.equal(r.exitCode, 2);
});

t.test('a bad matrix file is a usage error naming the file', async (t) => {
  const r = await pvconform(['doctor', '--config', '/nonexistent/m.yaml']);
  t.equal(r.exitCode, 1, r.all);
  t.match(r.all, /\/nonexistent\/m\.yaml: cannot read the config file/);
});
