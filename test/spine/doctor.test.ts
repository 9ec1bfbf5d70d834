// pvconform doctor tells, in seconds, whether KVM really runs a guest.
import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { pvconform } from '../helpers/cli.ts';

t.setTimeout(60_000);

t.test('doctor reports KVM honestly and quickly', async (t) => {
  const started = Date.now();
  const r = await pvconform(['doctor', '--json']);
  const took = Date.now() - started;
  t.equal(r.exitCode, 0, r.all);
  const findings = JSON.parse(r.stdout) as Array<{ what: string; ok: boolean; detail: string }>;
  const kvm = findings.find((f) => f.what === 'KVM')!;
  t.ok(kvm, 'there is a KVM finding');
  const flags = /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  let devKvm = false;
  try {
    devKvm = statSync('/dev/kvm').isCharacterDevice();
  } catch {
    devKvm = false;
  }
  if (!flags) {
    // This kind of host: /dev/kvm (kvm_pvm) but no vmx/svm; a normal guest kernel does not run.
    t.equal(kvm.ok, false, 'without vmx/svm KVM must not be called usable');
    t.match(kvm.detail, devKvm ? /present but does not run a guest|no guest kernel to probe/ : /missing|cannot be opened/);
    t.match(kvm.detail, /TCG will be used/);
  } else t.comment(`host has hardware virtualisation; doctor said: ${kvm.detail}`);
  t.ok(took < 20_000, `answered in ${took} ms`);
  t.ok(findings.find((f) => f.what === 'QEMU')?.ok, 'QEMU found');
});
