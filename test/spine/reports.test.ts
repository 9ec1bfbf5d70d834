// TAP and JUnit from the four states: error must stay distinct from fail.
import t from 'tap';
import { renderJunit } from '../../harness/reports/junit.ts';
import { renderTap } from '../../harness/reports/tap.ts';
import type { CheckResult, State } from '../../harness/core/results.ts';

const result = (check: string, state: State, message: string): CheckResult => ({
  v: 1, run: 'r', plan: 'p', cell: 'linux-ref@qemu', guest: 'linux-ref', hypervisor: 'qemu', check, suite: check.split('/')[0], state, message,
  citation: { kind: 'man', page: 'virtio.4', file: 'man/virtio.4.netbsd.txt', sentence: 'An entropy source.' },
  durationMs: 12, startedAt: '2026-11-23T00:00:00.000Z', artifacts: [{ kind: 'console', path: 'artifacts/linux-ref@qemu/console.log' }],
});
const results = [result('virtio.4/disk', 'pass', 'ok'), result('virtio.4/entropy', 'fail', 'no driver <&>'), result('virtio.4/scsi', 'skip', 'not offered'), result('virtio.4/net', 'error', 'ssh lost')];

t.test('JUnit: failure, error and skipped are three different elements', async (t) => {
  const xml = renderJunit(results);
  t.match(xml, /<testsuites name="pvconform" tests="4" failures="1" errors="1" skipped="1"/);
  t.match(xml, /<failure message="no driver &lt;&amp;&gt;" type="conformance">/);
  t.match(xml, /<error message="ssh lost" type="infrastructure">/);
  t.match(xml, /<skipped message="not offered"\/>/);
  t.match(xml, /citation: virtio\.4: An entropy source\./);
  t.equal((xml.match(/<testcase /g) ?? []).length, 4);
});

t.test('TAP: skip is a SKIP directive, fail and error are not ok with their state', async (t) => {
  const tap = renderTap(results);
  t.match(tap, /^TAP version 14\n1\.\.4\n/);
  t.match(tap, /ok 1 - linux-ref@qemu virtio\.4\/disk\n/);
  t.match(tap, /not ok 2 - linux-ref@qemu virtio\.4\/entropy\n  ---\n  state: fail/);
  t.match(tap, /ok 3 - linux-ref@qemu virtio\.4\/scsi # SKIP not offered/);
  t.match(tap, /not ok 4 - linux-ref@qemu virtio\.4\/net\n  ---\n  state: error/);
});
