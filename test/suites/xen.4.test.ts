// xen(4)'s verdicts on boot logs and hostctl output written from guest-facts.md §5.
import t from 'tap';
import * as v from '../../suites/xen.4/verdicts.ts';
import type { CommandOutput } from '../../suites/probe/gather.ts';
import { fixture, openbsdHyperv, openbsdXen } from './boot-logs.ts';

const out = (code: number, stdout = '', stderr = ''): CommandOutput => ({ command: 'hostctl ...', code, stdout, stderr });
const MAC = '00:16:3e:5e:6c:01';

t.test('attach', async (t) => {
  // §5.3: "xen0 at pvbus0: features %#x, %d grant table frames, event channel %u".
  t.match(v.judgeXenAttach(openbsdXen(MAC)), { state: 'pass', message: /features 0x2705, 64 grant table frames, event channel 3/ });
  // Real log, OpenBSD 5.9-beta on EC2: "xen0 at pvbus0: features 0x705, 32 grant table frames, event channel 3".
  t.match(v.judgeXenAttach(fixture('openbsd-5.9-beta-xen-hvm-1.txt')), { state: 'pass', message: /32 grant table frames/ });
  t.match(v.judgeXenAttach(openbsdHyperv()), { state: 'fail', message: /no xen0/ });
});

t.test('xnf-attach', async (t) => {
  t.match(v.judgeXnfAttach(openbsdXen(MAC), MAC.toUpperCase()), { state: 'pass', message: /xnf0 at xen0 backend 0 channel 7/ });
  t.match(v.judgeXnfAttach(openbsdXen('00:16:3e:00:00:09'), MAC), { state: 'fail', message: /the provider gave/ });
  // Real log, OpenBSD 6.0-current: the older "backend 0 chan 69: address" form (MAC masked as xx by dmesgd).
  t.match(v.judgeXnfAttach(fixture('openbsd-6.0-current-xen-hvm-1.txt'), MAC), { state: 'fail', message: /xx:xx:xx:xx:xx:xx/ });
  t.match(v.judgeXnfAttach(openbsdXen(MAC), null), { state: 'skip' });
});

t.test('xbf-attach', async (t) => {
  // §5.3: xbf matches "vbd"; xen_probe_devices walks XenStore's device/<type>/<unit>.
  const listing = out(0, 'vfb\nvbd\nvif\nconsole\n');
  t.match(v.judgeXbfAttach(openbsdXen(MAC), listing), { state: 'pass', message: /xbf0 at xen0 backend 0 channel 6: disk/ });
  // Real log, OpenBSD 6.0-current: "xbf0 at xen0 backend 0 chan 68: disk".
  t.match(v.judgeXbfAttach(fixture('openbsd-6.0-current-xen-hvm-1.txt'), listing), { state: 'pass' });
  t.match(v.judgeXbfAttach(openbsdXen(MAC, { xbf: false }), listing), { state: 'fail', message: /no xbf attached/ });
  t.match(v.judgeXbfAttach(openbsdXen(MAC, { xbf: false }), out(0, 'vif\n')), { state: 'skip' });
});

t.test('vif-mac and xenstore-directory', async (t) => {
  // hostctl.8's example: device/vif/0/mac → the MAC; "hostctl device" lists vfb vbd vif console.
  t.match(v.judgeVifMac(out(0, `${MAC}\n`), MAC), { state: 'pass' });
  t.match(v.judgeVifMac(out(0, '00:16:3e:00:00:00\n'), MAC), { state: 'fail' });
  t.match(v.judgeVifMac(out(1, '', 'hostctl: ioctl: No such file or directory\n'), MAC), { state: 'fail' });
  t.match(v.judgeVifMac(out(0), null), { state: 'skip' });
  t.match(v.judgeDirectory(out(0, 'vfb\nvbd\nvif\nconsole\n'), ['vif']), { state: 'pass' });
  t.match(v.judgeDirectory(out(0, ''), ['vif']), { state: 'fail', message: /missing vif/ });
});

t.test('xenserver-properties', async (t) => {
  const props = v.xenServerProperties('OpenBSD', '7.6');
  t.same(props.find(([k]) => k === 'data/os_name'), ['data/os_name', 'OpenBSD 7.6']);
  t.equal(props.length, 11, 'the eleven hostctl lines of xen(4)');
  // §2.4: xs_kvop zeroes the value after a write, so hostctl prints nothing.
  const runs = props.map(([key, value]) => ({ key, value, write: out(0), read: out(0, `${value}\n`) }));
  t.match(v.judgeProperties(runs), { state: 'pass', message: /11 properties/ });
  // §5.1: xenstored refuses a node the domain may not write: EACCES.
  const refused = runs.map((r, i) => (i === 0 ? { ...r, write: out(1, '', 'hostctl: ioctl: Permission denied\n') } : r));
  t.match(v.judgeProperties(refused), { state: 'fail', message: /attr\/PVAddons\/MajorVersion/ });
  t.match(v.judgeHostReads(props, Object.fromEntries(props)), { state: 'pass' });
  t.match(v.judgeHostReads(props, {}), { state: 'fail', message: /host reads null/ });
});

t.test('payload-limit', async (t) => {
  // §5.1: over XS_MAX_PAYLOAD → EIO and "xen0: message type 11 with payload above the limit".
  const eio = out(1, '', 'hostctl: ioctl: Input/output error\n');
  const before = 'xen0 at pvbus0: features 0x2705\n';
  const after = `${before}xen0: message type 11 with payload above the limit\n`;
  t.match(v.judgePayloadLimit(eio, before, after), { state: 'pass' });
  t.match(v.judgePayloadLimit(eio, before, before), { state: 'fail', message: /logged no/ });
  // The oversized write went through: the kernel did not enforce the limit.
  t.match(v.judgePayloadLimit(out(0), before, after), { state: 'fail' });
});
