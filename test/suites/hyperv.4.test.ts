// hyperv(4)'s verdicts on boot logs and hostctl output written from guest-facts.md §4.
import t from 'tap';
import * as v from '../../suites/hyperv.4/verdicts.ts';
import type { CommandOutput } from '../../suites/probe/gather.ts';
import { openbsdHyperv, openbsdXen } from './boot-logs.ts';
import { OPENBSD_76_AUTO_POOL } from './probe-reports.ts';

const out = (code: number, stdout = '', stderr = ''): CommandOutput => ({ command: 'hostctl ...', code, stdout, stderr });

t.test('nexus-attach', async (t) => {
  // §4.5: "hyperv0 at pvbus0: protocol %d.%d, features %#x", then "heartbeat, kvp, shutdown, timesync".
  t.match(v.judgeNexusAttach(openbsdHyperv()), { state: 'pass', message: /kvp/ });
  // Older revisions capitalise: "Heartbeat, KVP, Shutdown, Timesync".
  t.match(v.judgeNexusAttach(openbsdHyperv({ services: 'Heartbeat, KVP, Shutdown, Timesync' })), { state: 'pass' });
  // The host withholds the KVP channel: no pools.
  t.match(v.judgeNexusAttach(openbsdHyperv({ services: 'heartbeat, shutdown, timesync' })), { state: 'fail', message: /lack kvp/ });
  t.match(v.judgeNexusAttach(openbsdXen('00:16:3e:00:00:01')), { state: 'fail', message: /no hyperv0/ });
});

t.test('hvn-attach and hvs-attach', async (t) => {
  t.match(v.judgeVmbusChild(openbsdHyperv(), 'hvn', '00:15:5D:00:01:02'), { state: 'pass', message: /hvn0 at hyperv0 channel 14/ });
  t.match(v.judgeVmbusChild(openbsdHyperv(), 'hvn', '00:15:5d:00:09:09'), { state: 'fail', message: /the host gave/ });
  t.match(v.judgeVmbusChild(openbsdHyperv(), 'hvs', null), { state: 'pass' });
  t.match(v.judgeVmbusChild(openbsdXen('00:16:3e:00:00:01'), 'hvs', null), { state: 'fail', message: /no hvs/ });
});

t.test('pool-listing', async (t) => {
  // §4.3: "Pool/" lists key names joined by "\n", no trailing newline; hostctl adds one. An empty pool gives "".
  const auto = out(0, `${v.AUTO_KEYS.join('\n')}\n`);
  const listings = [
    { pool: 'Auto', out: auto },
    { pool: 'Guest', out: out(0) },
    { pool: 'External', out: out(0, 'HostName\n') },
    { pool: 'Guest/Parameters', out: out(0, 'HostName\nPhysicalHostName\n') },
  ];
  t.match(v.judgePoolListing(listings), { state: 'pass', message: /Auto\/: 10 key\(s\)/ });
  const short = [{ pool: 'Auto', out: out(0, 'OSName\nOSVersion\n') }];
  t.match(v.judgePoolListing(short), { state: 'fail', message: /lacks FullyQualifiedDomainName/ });
  t.match(v.judgePoolListing([{ pool: 'Guest/Parameters', out: out(1, '', 'hostctl: ioctl: Invalid argument\n') }]), { state: 'fail' });
});

t.test('auto-update, guest-insert (write and read back)', async (t) => {
  t.match(v.judgeWriteReadBack(out(0, 'x.example\n'), out(0, 'x.example\n'), 'x.example'), { state: 'pass' });
  t.match(v.judgeWriteReadBack(out(0, 'x.example\n'), out(0, 'old\n'), 'x.example'), { state: 'fail', message: /read back "old"/ });
  t.match(v.judgeWriteReadBack(out(1, '', 'hostctl: ioctl: No such file or directory\n'), out(0), 'x'), { state: 'fail', message: /the write/ });
});

t.test('auto-no-new-keys, guest-no-overwrite, host-pools-read-only', async (t) => {
  // §4.3: Auto update-only → ENOENT; Guest insert-only → EEXIST; External, Guest/Parameters → EINVAL.
  t.match(v.judgeRefused([{ what: 'new Auto key', out: out(1, '', 'hostctl: ioctl: No such file or directory\n'), errno: 'ENOENT' }]), { state: 'pass' });
  t.match(v.judgeRefused([{ what: 'second write', out: out(1, '', 'hostctl: ioctl: File exists\n'), errno: 'EEXIST' }]), { state: 'pass' });
  t.match(
    v.judgeRefused([
      { what: 'External', out: out(1, '', 'hostctl: ioctl: Invalid argument\n'), errno: 'EINVAL' },
      { what: 'Guest/Parameters', out: out(1, '', 'hostctl: ioctl: Invalid argument\n'), errno: 'EINVAL' },
    ]),
    { state: 'pass' },
  );
  // A Guest key overwritten: the pool did not refuse.
  t.match(v.judgeRefused([{ what: 'second write', out: out(0, 'second\n'), errno: 'EEXIST' }]), { state: 'fail', message: /second write/ });
});

t.test('auto-values', async (t) => {
  // §4.4: kvp_pool_auto[] on an OpenBSD 7.6 amd64 guest.
  const facts = { ostype: 'OpenBSD', osrelease: '7.6', machine: 'amd64', osversion: 'GENERIC.MP#338' };
  const expected = v.expectedAutoValues(facts);
  t.same(expected, OPENBSD_76_AUTO_POOL);
  const read = Object.fromEntries(Object.entries(expected).map(([k, val]) => [k, out(0, `${val}\n`)]));
  t.match(v.judgeAutoValues(expected, read), { state: 'pass', message: /hard-coded "6"/ });
  t.match(v.judgeAutoValues(expected, { ...read, OSMajorVersion: out(0, '7\n') }), { state: 'fail', message: /OSMajorVersion is "7"/ });
  t.match(v.judgeAutoValues(expected, { ...read, OSName: out(1, '', 'hostctl: ioctl: No such file or directory\n') }), { state: 'fail' });
});

t.test('host halves', async (t) => {
  t.match(v.judgeHostSees('Guest/k', 'for-the-host', 'for-the-host'), { state: 'pass' });
  t.match(v.judgeHostSees('Guest/k', 'for-the-host', null), { state: 'fail', message: /does not see/ });
  t.match(v.judgeHostSees('Guest/k', 'for-the-host', 'other'), { state: 'fail' });
});
