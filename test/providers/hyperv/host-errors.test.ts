// A host that answers an error at each step: the cell ends in an error carrying the cmdlet's
// message (never a fail), and whatever was created before the failing step is removed.
import t from 'tap';
import { BootError, InfraError, UsageError } from '../../../harness/core/errors.ts';
import { NoImageError } from '../../../harness/images/guest-image.ts';
import { startRig, BASE_VHDX } from './rig.ts';

const signal = () => new AbortController().signal;

/** step that fails -> the cleanup steps that must follow it. */
const cases: Array<{ step: string; cleanup: string[] }> = [
  { step: 'preflight', cleanup: [] },
  { step: 'New-VHD', cleanup: [] },
  { step: 'New-VM', cleanup: ['Remove-Item'] },
  { step: 'configure', cleanup: ['Remove-VM', 'Remove-Item'] },
  { step: 'Start-VM', cleanup: ['Remove-VM', 'Remove-Item'] },
  { step: 'Get-VMNetworkAdapter', cleanup: ['Stop-VM', 'Remove-VM', 'Remove-Item'] },
];

for (const c of cases) {
  t.test(`${c.step} fails: error with the cmdlet's message, cleanup of what exists`, async (t) => {
    const rig = await startRig(t);
    const message = `The operation failed on the test double at ${c.step}.`;
    rig.host.model.failOn(c.step, message);
    const err = await rig.provider().boot(rig.spec(), signal()).catch((e: unknown) => e);
    t.ok(err instanceof InfraError, `InfraError (${(err as Error).name})`);
    t.notOk(err instanceof BootError, 'not a BootError: the host broke, not the guest');
    t.match((err as Error).message, message, "carries the cmdlet's message");
    const steps = rig.host.model.steps().filter((s) => s !== 'console');
    const at = steps.indexOf(c.step);
    t.same(steps.slice(at + 1), c.cleanup, `after the failure: ${c.cleanup.join(', ') || 'nothing to clean'}`);
    t.equal(rig.host.model.vms.size, 0, 'no VM left');
    t.same([...rig.host.model.files], [BASE_VHDX.toLowerCase()], 'no VHDX left but the base');
  });
}

t.test('an error in PowerShell CLIXML form still gives the message', async (t) => {
  const rig = await startRig(t);
  rig.host.model.failOn('New-VM', "Hyper-V was unable to find a virtual switch with name \"Missing\".", 'clixml');
  const err = await rig.provider().boot(rig.spec(), signal()).catch((e: unknown) => e);
  t.ok(err instanceof InfraError);
  t.match((err as Error).message, 'Hyper-V was unable to find a virtual switch with name "Missing".');
  t.notMatch((err as Error).message, /CLIXML|_x000D_|<S /, 'markup removed');
  t.equal(rig.host.model.vms.size, 0);
});

t.test('Set-VMComPort failing is not fatal: the cell boots without a console', async (t) => {
  const rig = await startRig(t);
  rig.host.model.failOn('Set-VMComPort', 'The COM port is not available.');
  const machine = await rig.provider().boot(rig.spec(), signal());
  t.ok(rig.logs.some((l) => l.includes('COM1 not available')), 'said so in the log');
  t.equal(rig.host.consoleRuns, 0, 'no reader started');
  await machine.stop();
  t.equal(rig.host.model.vms.size, 0);
});

t.test('Stop-VM failing in stop(): error, and the VM and disk are still removed', async (t) => {
  const rig = await startRig(t);
  const machine = await rig.provider().boot(rig.spec(), signal());
  rig.host.model.failOn('Stop-VM', 'The virtual machine could not be turned off.');
  const err = await machine.stop().catch((e: unknown) => e);
  t.ok(err instanceof InfraError, 'stop() rejects with an InfraError');
  t.match((err as Error).message, 'The virtual machine could not be turned off.');
  t.equal(rig.host.model.vms.size, 0, 'Remove-VM still ran');
  t.same([...rig.host.model.files], [BASE_VHDX.toLowerCase()], 'the VHDX still went');
  const again = await machine.stop().catch((e: unknown) => e);
  t.equal(again, err, 'a second stop() reports the same outcome without doing it again');
});

t.test('a KVP job that ends in an error state is an error with its code', async (t) => {
  const rig = await startRig(t);
  const machine = await rig.provider().boot(rig.spec(), signal());
  t.teardown(() => machine.stop());
  rig.host.model.failJob('AddKvpItems', 32768);
  await t.rejects(machine.hostKv!.write('External/k', 'v'), { name: 'InfraError', message: /AddKvpItems\(k\) job ended Exception with error 32768 \(Failed\)/ });
  await t.rejects(machine.hostKv!.remove('External/never-set'), { message: /32773 \(Invalid parameter; LISAv2 reads this as: the key does not exist\)/ });
  await t.rejects(machine.hostKv!.write('Guest/k', 'v'), { message: /only External keys/ }, 'the host does not write the guest pools');
  await t.rejects(machine.hostKv!.read('Guest/Parameters/HostName'), { message: /not a key the Hyper-V host can address/ });
});

t.test('a missing base image is NoImageError; a missing switch is a usage error naming switchName', async (t) => {
  const rig = await startRig(t);
  rig.host.model.files.clear();
  const noImage = await rig.provider().boot(rig.spec(), signal()).catch((e: unknown) => e);
  t.ok(noImage instanceof NoImageError, 'NoImageError (the cell is skipped with how to stage it)');
  t.match((noImage as Error).message, BASE_VHDX);

  rig.host.model.files.add(BASE_VHDX.toLowerCase());
  const badSwitch = await rig.provider().boot(rig.spec({ hypervisor: { ...rig.config, switchName: 'Nope' } }), signal()).catch((e: unknown) => e);
  t.ok(badSwitch instanceof UsageError);
  t.match((badSwitch as Error).message, /hypervisors\[name=hv-double\]\.switchName: "Nope" is not a virtual switch .* \(it has: Default Switch\)/);
  t.same(rig.host.model.steps(), ['preflight', 'preflight'], 'nothing was created either time');
});

t.test('a guest that never reports an address is a BootError by the deadline, and is cleaned up', async (t) => {
  const rig = await startRig(t);
  rig.host.model.addressAfterPolls = Number.POSITIVE_INFINITY;
  const started = Date.now();
  const err = await rig.provider().boot(rig.spec({ timeouts: { ...rig.spec().timeouts, bootMs: 600 } }), signal()).catch((e: unknown) => e);
  t.ok(err instanceof BootError, 'BootError: the guest did not come up');
  t.match((err as Error).message, /no IPv4 address .* by the boot deadline .* KVP/);
  t.ok(Date.now() - started < 5_000, 'gave up by the wall-clock deadline');
  t.equal(rig.host.model.vms.size, 0);
});

t.test('an abort tears down what was started', async (t) => {
  const rig = await startRig(t);
  rig.host.model.addressAfterPolls = Number.POSITIVE_INFINITY;
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const err = await rig.provider().boot(rig.spec(), ac.signal).catch((e: unknown) => e);
  t.ok(err instanceof InfraError);
  t.match((err as Error).message, /abort/);
  t.equal(rig.host.model.vms.size, 0);
  t.same([...rig.host.model.files], [BASE_VHDX.toLowerCase()]);
});
