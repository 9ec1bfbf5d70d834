// xenbus(4)'s verdicts on NetBSD boot logs and probe reports written from guest-facts.md §8.1.
import t from 'tap';
import * as v from '../../suites/xenbus.4/verdicts.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { fixture, netbsdXen } from './boot-logs.ts';
import { xenbusReport, xsReply } from './probe-reports.ts';

const MAC = '00:16:3e:5e:6c:01';
// xenstored's DIRECTORY reply: NUL-terminated names.
const listing = xsReply('dir', 'device', { type: 1, payload: 'vbd\0vif\0' });

t.test('event-channel', async (t) => {
  // §8.1: aprint_verbose_dev "using event channel %d": always in the message buffer.
  t.match(v.judgeEventChannel(netbsdXen(MAC)), { state: 'pass', message: /using event channel 1/ });
  t.match(v.judgeEventChannel(netbsdXen(MAC, { eventLine: false })), { state: 'fail', message: /no "xenbus0: using event channel N"/ });
  // Real log, NetBSD 9.1 on bhyve: no Xen, no xenbus.
  t.match(v.judgeEventChannel(fixture('netbsd-9.1_STABLE-bhyve-1.txt')), { state: 'fail', message: /no xenbus0/ });
});

t.test('frontends-attach', async (t) => {
  // §8.1: "xbd0 at xenbus0 id 768: ...", "xennet0 at xenbus0 id 0: ...", "xennet0: MAC address %s".
  t.match(v.judgeFrontends(netbsdXen(MAC), listing, MAC), { state: 'pass', message: /xbd0 at xenbus0 id 768; xennet0 at xenbus0 id 0/ });
  t.match(v.judgeFrontends(netbsdXen('00:16:3e:00:00:09'), listing, MAC), { state: 'fail', message: /the provider gave/ });
  t.match(v.judgeFrontends(netbsdXen(MAC, { xennetParent: 'hypervisor0' }), listing, MAC), { state: 'fail', message: /not xenbus0/ });
  t.match(v.judgeFrontends(netbsdXen(MAC), xsReply('dir', 'device', { type: 1, payload: 'console\0' }), MAC), { state: 'skip' });
  t.match(v.judgeFrontends(netbsdXen(MAC), xsReply('dir', 'device', { type: 16, payload: 'EACCES\0' }), MAC), { state: 'fail', message: /XenStore error EACCES/ });
});

t.test('kernfs-node and not-for-users', async (t) => {
  // §8.1: /kern/xen/xenbus mode 0600, root only.
  t.match(v.judgeKernfsNode(xenbusReport([])), { state: 'pass', message: /root 0600/ });
  t.match(v.judgeKernfsNode(xenbusReport([], { stat: { ok: true, errno: null, kind: 'file', mode: '0644', uid: 0, gid: 0, owner: 'root', group: 'wheel' } })), { state: 'fail', message: /0644/ });
  t.match(v.judgeKernfsNode(xenbusReport([], { stat: { ok: false, errno: 'ENOENT' }, open: 'ENOENT' })), { state: 'fail', message: /kernfs mounted/ });
  t.match(v.judgeNotForUsers(xenbusReport([], { uid: 1000, open: 'EACCES' })), { state: 'pass' });
  t.match(v.judgeNotForUsers(xenbusReport([], { uid: 1000 })), { state: 'fail', message: /opened/ });
  t.throws(() => v.judgeNotForUsers(xenbusReport([], { open: 'EACCES' })), InfraError);
});

t.test('read', async (t) => {
  // XS_READ replies carry the value without a NUL.
  const mac = xsReply('read', 'device/vif/0/mac', { type: 2, payload: MAC });
  t.match(v.judgeRead(xenbusReport([listing, mac]), MAC), { state: 'pass', message: /device\/vif\/0\/mac = 00:16:3e:5e:6c:01/ });
  t.match(v.judgeRead(xenbusReport([listing, mac]), '00:16:3e:00:00:09'), { state: 'fail' });
  t.match(v.judgeRead(xenbusReport([listing]), null), { state: 'pass', message: /vbd, vif/ });
  t.match(v.judgeRead(xenbusReport([], { open: 'ENOENT' }), MAC), { state: 'fail', message: /did not open/ });
});

t.test('write', async (t) => {
  // xenstored answers XS_WRITE with "OK\0".
  const ops = [xsReply('write', 'data/k', { type: 11, payload: 'OK\0' }, 'via-xenbus'), xsReply('read', 'data/k', { type: 2, payload: 'via-xenbus' })];
  t.match(v.judgeWrite(xenbusReport(ops), 'data/k', 'via-xenbus'), { state: 'pass' });
  const denied = [xsReply('write', 'data/k', { type: 16, payload: 'EACCES\0' }, 'via-xenbus'), xsReply('read', 'data/k', { type: 16, payload: 'ENOENT\0' })];
  t.match(v.judgeWrite(xenbusReport(denied), 'data/k', 'via-xenbus'), { state: 'fail', message: /XenStore error EACCES/ });
});

t.test('in-band-error', async (t) => {
  // §8.1: XS_ERROR passed through, write() succeeds.
  const missing = xsReply('read', 'data/missing', { type: 16, payload: 'ENOENT\0' });
  t.match(v.judgeInBandError(xenbusReport([missing]), 'data/missing'), { state: 'pass' });
  const asErrno = { ...missing, reply: undefined, error: null, ok: false, stage: 'write' as const, errno: 'ENOENT', detail: 'write() failed' };
  t.match(v.judgeInBandError(xenbusReport([asErrno]), 'data/missing'), { state: 'fail', message: /failed at write\(\)/ });
  const found = xsReply('read', 'data/missing', { type: 2, payload: 'x' });
  t.match(v.judgeInBandError(xenbusReport([found]), 'data/missing'), { state: 'fail', message: /expected XS_ERROR/ });
});
