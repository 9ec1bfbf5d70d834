// QEMU/KVM with Hyper-V enlightenments: the argv, the two interfaces it offers, the refusal under
// accel: tcg at config time, real QEMU refusing the flags without KVM, and a run on this host
// (KVM unusable) ending those cells as skip "needs KVM", every planned check with one line.
import t from 'tap';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qemuArgs, type QemuPaths } from '../../../harness/providers/qemu/command-line.ts';
import { offeredInterfaces } from '../../../harness/providers/qemu/hyperv-enlightenments.ts';
import { parseMatrix } from '../../../harness/config/load.ts';
import type { GuestImage } from '../../../harness/images/guest-image.ts';
import type { QemuConfig } from '../../../harness/providers/qemu/config.ts';
import { probeKvm } from '../../../harness/qemu/kvm-probe.ts';
import { pvconform, readResults, scratch } from '../../helpers/cli.ts';

t.setTimeout(180_000);

const image: GuestImage = {
  name: 'linux-ref', os: 'linux', release: 'x',
  boot: { kind: 'kernel', kernel: '/img/vmlinuz', initrd: '/img/initrd', append: 'console=ttyS0' },
  ssh: { user: 'root', privateKeyPath: '/k', hostKey: 'ssh-ed25519 AAAA' },
};
const paths: QemuPaths = { consoleLog: '/a/console.log', qmpSocket: '/w/qmp.sock', systemOverlay: null, blkOverlay: '/w/blk.qcow2', scsiOverlay: '/w/scsi.qcow2', virtconsoleLog: '/a/vc.log' };

function qemuConfig(yaml: string): QemuConfig {
  const m = parseMatrix(`hypervisors:\n  - name: q\n    provider: qemu\n${yaml}guests: [{name: linux-ref}]\nsuites: [pvbus.4]\n`, 'm.yaml');
  return m.hypervisors[0] as QemuConfig;
}

t.test('the argv: hv-* flags on the CPU, the VMBus bridge; none without the option', async (t) => {
  const hv = qemuConfig('    hyperv: {}\n');
  const args = qemuArgs(image, hv, paths, { accel: 'kvm', mac: '52:54:00:00:00:01', extraKernelArgs: '' });
  const cpu = args[args.indexOf('-cpu') + 1];
  t.match(cpu, /^host,/);
  for (const f of ['hv-relaxed', 'hv-vpindex', 'hv-synic', 'hv-stimer', 'hv-time']) t.ok(cpu.split(',').includes(f), f);
  t.ok(cpu.indexOf('hv-vpindex') < cpu.indexOf('hv-synic'), 'VP_INDEX before SynIC, which needs it');
  t.notMatch(cpu, 'hv-vendor-id', 'QEMU\'s own "Microsoft Hv" unless asked');
  t.match(args.join(' '), '-device vmbus-bridge');
  const vendor = qemuConfig('    hyperv: {vendorId: pvconformvmm, vmbus: false}\n');
  const args2 = qemuArgs(image, vendor, paths, { accel: 'kvm', mac: '52:54:00:00:00:01', extraKernelArgs: '' });
  t.match(args2[args2.indexOf('-cpu') + 1], 'hv-vendor-id=pvconformvmm');
  t.notMatch(args2.join(' '), 'vmbus-bridge');
  const plain = qemuArgs(image, qemuConfig(''), paths, { accel: 'kvm', mac: '52:54:00:00:00:01', extraKernelArgs: '' }).join(' ');
  t.notMatch(plain, /hv-|vmbus/);
});

t.test('offers: KVM and Hyper-V in pvbus(4) table order, only under KVM, only with the signature', async (t) => {
  t.same(offeredInterfaces('kvm', qemuConfig('    hyperv: {}\n')), ['KVM', 'Hyper-V']);
  t.same(offeredInterfaces('kvm', qemuConfig('')), ['KVM']);
  t.same(offeredInterfaces('tcg', qemuConfig('')), []);
  t.same(offeredInterfaces('kvm', qemuConfig('    hyperv: {vendorId: "Microsoft Hv"}\n')), ['KVM', 'Hyper-V']);
  t.same(offeredInterfaces('kvm', qemuConfig('    hyperv: {vendorId: pvconformvmm}\n')), ['KVM'], 'another signature hides Hyper-V');
});

t.test('config time: accel tcg with hyperv is refused with the field and the fix', async (t) => {
  t.throws(() => qemuConfig('    accel: tcg\n    hyperv: {}\n'), /m\.yaml: field hypervisors\[0\]\.hyperv: Hyper-V enlightenments need KVM.*Fix: set accel to auto or kvm, or remove hyperv/);
  t.throws(() => qemuConfig('    hyperv: {vendorId: "thirteen-char"}\n'), /hyperv\.vendorId/);
  t.throws(() => qemuConfig('    hyperv: {vmbuss: true}\n'), /remove "vmbuss"/);
});

t.test('real QEMU: the flags and the bridge do not start under TCG', async (t) => {
  // Why the option needs KVM, from QEMU itself rather than from us.
  const base = ['-accel', 'tcg', '-machine', 'q35', '-display', 'none', '-nodefaults', '-S', '-qmp', 'null'];
  const flags = await execa('qemu-system-x86_64', [...base, '-cpu', 'max,hv-relaxed,hv-vpindex,hv-synic'], { reject: false, all: true, timeout: 30_000 });
  t.not(flags.exitCode, 0);
  t.match(flags.all, /HyperV VP_INDEX/);
  // QEMU 7.2 reports the bridge as unusable at start-up but keeps running: stopped after 10 s.
  const bridge = await execa('qemu-system-x86_64', [...base, '-cpu', 'max', '-device', 'vmbus-bridge'], { reject: false, all: true, timeout: 10_000 });
  t.match(bridge.all, /VMBus requires usable Hyper-V SynIC and VP_INDEX/);
});

t.test('a run on a host without working KVM: the enlightened cell is skip "needs KVM", nothing boots', async (t) => {
  const verdict = await probeKvm(null);
  if (verdict.usable) {
    t.comment(`KVM works on this host (${verdict.reason}): the not-runnable path does not apply`);
    return;
  }
  const dir = scratch(t);
  const config = join(dir, 'm.yaml');
  writeFileSync(config, 'hypervisors:\n  - name: qemu-hyperv\n    provider: qemu\n    hyperv: {}\nguests: [{name: linux-ref}]\nsuites: [pvbus.4, hostctl.8]\n');
  const out = join(dir, 'run');
  const r = await pvconform(['run', '--config', config, '--out', out]);
  t.not(r.exitCode, 0, `not green (exit ${r.exitCode}): ${r.all.split('\n').slice(-2).join(' / ')}`);
  const results = readResults(out);
  t.ok(results.length > 1, 'a line for the boot and one per planned check');
  for (const res of results) {
    t.equal(res.state, 'skip', `${res.check}: skip`);
    t.match(res.message, /^needs KVM: qemu-hyperv asks for Hyper-V enlightenments .* KVM is not usable here/, `${res.check}: the reason`);
  }
  t.equal(new Set(results.map((x) => x.check)).size, results.length, 'exactly one line per check');
});
