// hostctl(8)'s verdicts on command output written from guest-facts.md §2 (hostctl.c usage, main,
// kvsetstr; err(3) prints "hostctl: <prefix>: <strerror>").
import t from 'tap';
import * as v from '../../suites/hostctl.8/verdicts.ts';
import type { CommandOutput } from '../../suites/probe/gather.ts';

const out = (code: number, stdout = '', stderr = '', command = 'hostctl ...'): CommandOutput => ({ command, code, stdout, stderr });

t.test('type', async (t) => {
  // §2.1: -t prints "%s: %s\n" with the device path and the type, exit 0.
  t.match(v.judgeType([{ device: '/dev/pvbus0', type: 'KVM', out: out(0, '/dev/pvbus0: KVM\n') }]), { state: 'pass', message: '/dev/pvbus0: KVM' });
  t.match(v.judgeType([{ device: '/dev/pvbus1', type: 'Hyper-V', out: out(0, '/dev/pvbus1: KVM\n') }]), { state: 'fail', message: /expected exit 0 and "\/dev\/pvbus1: Hyper-V"/ });
  t.match(v.judgeType([]), { state: 'skip' });
});

t.test('usage', async (t) => {
  // §2.1: the usage string on stderr, exit 1; getopt names the bad option first.
  const usage = out(1, '', `${v.USAGE}\n`);
  const badOption = out(1, '', `hostctl: unknown option -- Z\n${v.USAGE}\n`);
  t.match(v.judgeUsage(badOption, usage, usage), { state: 'pass', message: /unknown option, no key, three arguments/ });
  t.match(v.judgeUsage(badOption, null, null), { state: 'pass', message: /for an unknown option$/ });
  // A read of key "a" instead of usage for three arguments.
  t.match(v.judgeUsage(badOption, usage, out(1, '', 'hostctl: ioctl: Device not configured\n')), { state: 'fail', message: /three arguments/ });
  t.match(v.judgeUsage(out(0, 'x\n'), null, null), { state: 'fail', message: /unknown option/ });
});

t.test('open-errors and outsider', async (t) => {
  // §2.2: err(1, "open: %s", path).
  const missing = out(1, '', 'hostctl: open: /dev/pvconform-no-such-node: No such file or directory\n');
  const wheel = out(1, '', 'hostctl: open: /dev/pvbus0: Permission denied\n');
  t.match(
    v.judgeOpenErrors([
      { what: 'missing node', out: missing, path: '/dev/pvconform-no-such-node', errno: 'ENOENT' },
      { what: 'wheel member writing', out: wheel, path: '/dev/pvbus0', errno: 'EACCES' },
    ]),
    { state: 'pass' },
  );
  // §1.3: ENODEV when pvbus never attached; strerror(ENODEV) is "Operation not supported by device".
  t.match(v.judgeOpenErrors([{ what: 'pvbus not attached', out: out(1, '', 'hostctl: open: /dev/pvbus0: Operation not supported by device\n'), path: '/dev/pvbus0', errno: 'ENODEV' }]), { state: 'pass' });
  // A wheel member whose write went through.
  t.match(v.judgeOpenErrors([{ what: 'wheel member writing', out: out(0), path: '/dev/pvbus0', errno: 'EACCES' }]), { state: 'fail', message: /exited 0/ });
});

t.test('read', async (t) => {
  // §2.4: the value vis-encoded plus "\n", exit 0.
  t.match(v.judgeRead(out(0, '00:16:3e:5e:6c:01\n'), { value: '00:16:3e:5e:6c:01' }), { state: 'pass' });
  t.match(v.judgeRead(out(0, '00:16:3e:5e:6c:02\n'), { value: '00:16:3e:5e:6c:01' }), { state: 'fail' });
  // §1.5 + §2.3: KVM has no backend: err(1, "ioctl") with ENXIO.
  t.match(v.judgeRead(out(1, '', 'hostctl: ioctl: Device not configured\n'), { errno: 'ENXIO' }), { state: 'pass' });
  t.match(v.judgeRead(out(1, '', 'hostctl: ioctl: No such file or directory\n'), { errno: 'ENXIO' }), { state: 'fail' });
});

t.test('missing-key', async (t) => {
  // §1.4 step 8: ENOENT on Xen and Hyper-V.
  t.match(v.judgeMissingKey(out(1, '', 'hostctl: ioctl: No such file or directory\n'), 'ENOENT'), { state: 'pass' });
  t.match(v.judgeMissingKey(out(0, '\n'), 'ENOENT'), { state: 'fail' });
});

t.test('write', async (t) => {
  // §2.4: Xen prints nothing after a write; Hyper-V prints the value.
  const readBack = out(0, 'written-by-pvconform\n');
  t.match(v.judgeWrite(out(0), readBack, 'written-by-pvconform', false), { state: 'pass' });
  t.match(v.judgeWrite(out(0, 'written-by-pvconform\n'), readBack, 'written-by-pvconform', true), { state: 'pass', message: /echoes/ });
  t.match(v.judgeWrite(out(0, 'written-by-pvconform\n'), readBack, 'written-by-pvconform', false), { state: 'fail', message: /printed/ });
  t.match(v.judgeWrite(out(0), out(1, '', 'hostctl: ioctl: No such file or directory\n'), 'written-by-pvconform', false), { state: 'fail', message: /reading it back/ });
  t.match(v.judgeWrite(out(1, '', 'hostctl: ioctl: Permission denied\n'), readBack, 'x', false), { state: 'fail', message: /the write/ });
});

t.test('input-output-files', async (t) => {
  // §2.3: kvsetfile reads the file and cuts at the first newline; §2.4: -o writes value + "\n".
  t.match(v.judgeFiles(out(0), out(0), 'from-a-file\n', 'from-a-file'), { state: 'pass' });
  t.match(v.judgeFiles(out(0), out(0, 'from-a-file\n'), 'from-a-file\n', 'from-a-file'), { state: 'fail', message: /stdout as well/ });
  t.match(v.judgeFiles(out(0), out(0), null, 'from-a-file'), { state: 'fail', message: /holds null/ });
  t.match(v.judgeFiles(out(1, '', 'hostctl: input file\n'), out(0), null, 'x'), { state: 'fail', message: /-i/ });
});

t.test('key-too-long', async (t) => {
  // §2.3: errx(1, "key too long").
  t.match(v.judgeKeyTooLong(out(1, '', 'hostctl: key too long\n')), { state: 'pass' });
  t.match(v.judgeKeyTooLong(out(1, '', 'hostctl: ioctl: File name too long\n')), { state: 'fail' });
});

t.test('quiet-flag: manual against code', async (t) => {
  // hostctl.8 revs 1.2-1.5: ".It Fl q / Don't ask for confirmation of any default options."
  const page = `.Bl -tag -width Ds\n.It Fl q\nDon't ask for confirmation of any default options.\n.It Fl t\nPrint the type of the underlying driver.\n.El\n`;
  t.equal(v.quietWording(page), "Don't ask for confirmation of any default options.");
  const plain = out(0, 'OpenBSD\n');
  // §2.4: -q suppresses printing the value.
  t.match(v.judgeQuiet(v.quietWording(page), plain, out(0, '')), { state: 'fail', message: /never asks for confirmation.*Manual and code disagree/ });
  t.match(v.judgeQuiet(null, plain, out(0, '')), { state: 'fail', message: /not installed here/ });
  // A page that describes -q as suppressing output agrees with the code.
  const fixed = page.replace("Don't ask for confirmation of any default options.", 'Suppress printing of the returned value.');
  t.match(v.judgeQuiet(v.quietWording(fixed), plain, out(0, '')), { state: 'pass' });
  t.match(v.judgeQuiet(v.quietWording(fixed), plain, out(0, 'OpenBSD\n')), { state: 'fail', message: /yet -q printed/ });
  t.match(v.judgeQuiet(v.quietWording(page), out(1, '', 'hostctl: ioctl: Device not configured\n'), out(1)), { state: 'skip' });
});
