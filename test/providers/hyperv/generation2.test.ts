// A Generation 2 request is refused with hyperv(4)'s reason, as a usage error naming the
// config field, before the host is even contacted.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { UsageError, BootError } from '../../../harness/core/errors.ts';
import { checkHypervConfig, GENERATION_2_CAVEAT } from '../../../harness/providers/hyperv/config-check.ts';
import { startRig } from './rig.ts';

t.test('the refusal quotes hyperv(4) word for word', async (t) => {
  const page = await readFile(new URL('../../../../shared/man/hyperv.4.openbsd.txt', import.meta.url), 'utf8');
  t.ok(page.includes(GENERATION_2_CAVEAT), 'the quoted sentence is in the manual page');
});

t.test('generation 2 is a usage error and nothing is created', async (t) => {
  const rig = await startRig(t);
  const spec = rig.spec({ hypervisor: { ...rig.config, generation: 2 } });
  const err = await rig.provider().boot(spec, new AbortController().signal).catch((e: unknown) => e);
  t.ok(err instanceof UsageError, 'UsageError (exit 1), not a guest fail');
  t.notOk(err instanceof BootError, 'not a BootError, so never a fail');
  t.match((err as Error).message, 'hypervisors[name=hv-double].generation', 'names the config field');
  t.match((err as Error).message, GENERATION_2_CAVEAT, 'gives the manual page reason');
  t.match((err as Error).message, 'generation: 1', 'and the fix');
  t.same(rig.host.model.calls, [], 'the host received no command');
  t.equal(rig.host.model.vms.size, 0, 'no VM on the double');
});

t.test('other generations are refused too; generation 1 passes', async (t) => {
  const base = { name: 'hv', provider: 'hyperv' as const, host: { address: 'h', port: 22, user: 'u', privateKey: 'k', hostKey: 'ssh-ed25519 AAAA' }, switchName: 's', memoryMiB: 512, cpus: 1, imageDir: 'C:\\i' };
  t.throws(() => checkHypervConfig({ ...base, generation: 3 }), UsageError);
  t.doesNotThrow(() => checkHypervConfig({ ...base, generation: 1 }));
});
