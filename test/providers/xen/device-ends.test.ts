// The verdict on a domU's front ends and dom0's back ends (suites/xen.4-host/frontends.ts),
// on what XenStore showed on the nested host (vbd 51728 of domain 2) and on broken variants.
import t from 'tap';
import { judgeDeviceEnds, type DeviceEnds } from '../../../suites/xen.4-host/frontends.ts';

const good: DeviceEnds = {
  id: '51728',
  guest: { state: '4', backend: '/local/domain/0/backend/vbd/2/51728' },
  host: { frontState: '4', backendState: '4', backendFrontend: '/local/domain/2/device/vbd/51728' },
  expectedBackend: '/local/domain/0/backend/vbd/2/51728',
  expectedFrontend: '/local/domain/2/device/vbd/51728',
};

t.test('connected at both ends, each naming the other: pass', async (t) => {
  const v = judgeDeviceEnds('vbd', 1, [good]);
  t.equal(v.state, 'pass');
  t.match(v.message, 'device/vbd/51728 <-> /local/domain/0/backend/vbd/2/51728');
});

t.test('each way of not being attached fails, naming the node', async (t) => {
  t.match(judgeDeviceEnds('vbd', 1, []), { state: 'fail', message: /gave the guest 1 vbd device\(s\), and 0 appear/ });
  t.match(judgeDeviceEnds('vbd', 1, [{ ...good, guest: { ...good.guest, state: '3' }, host: { ...good.host, frontState: '3' } }]), { state: 'fail', message: /device\/vbd\/51728\/state is "3"/ });
  t.match(judgeDeviceEnds('vbd', 1, [{ ...good, host: { ...good.host, backendState: '2' } }]), { state: 'fail', message: /backend\/vbd\/2\/51728\/state is "2"/ });
  t.match(judgeDeviceEnds('vbd', 1, [{ ...good, host: { ...good.host, frontState: '1' } }]), { state: 'fail', message: /the guest reads "4", dom0 "1"/ });
  t.match(judgeDeviceEnds('vbd', 1, [{ ...good, guest: { ...good.guest, backend: '/local/domain/0/backend/vbd/3/51728' } }]), { state: 'fail', message: /backend is ".*vbd\/3\/51728", expected/ });
  t.match(judgeDeviceEnds('vbd', 1, [{ ...good, host: { ...good.host, backendFrontend: null } }]), { state: 'fail', message: /frontend is null/ });
});
