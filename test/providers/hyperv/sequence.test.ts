// One whole cell against the Hyper-V host TEST DOUBLE: create, start, find the address, KVP
// both ways, stop, remove, in that order; and what the double holds afterwards.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRig, BASE_VHDX } from './rig.ts';

t.test('a cell runs the documented sequence and leaves nothing on the host', async (t) => {
  const rig = await startRig(t);
  const spec = rig.spec();
  const machine = await rig.provider().boot(spec, new AbortController().signal);
  const model = rig.host.model;

  // Create and start.
  const bootSteps = model.steps().filter((s) => s !== 'console');
  t.same(bootSteps.slice(0, 6), ['preflight', 'New-VHD', 'New-VM', 'configure', 'Set-VMComPort', 'Start-VM'], 'create, configure and start in order');
  const polls = bootSteps.slice(6);
  t.ok(polls.length >= 3 && polls.every((s) => s === 'Get-VMNetworkAdapter'), `then polls for the address until the guest reports one (${polls.length} looks)`);

  const [vm] = [...model.vms.values()];
  t.equal(vm.generation, 1, 'New-VM -Generation 1');
  t.equal(vm.memoryBytes, 1024 * 1024 * 1024, 'memory from memoryMiB');
  t.equal(vm.switchName, 'Default Switch', 'switch from switchName');
  t.equal(vm.cpus, 2, 'Set-VM -ProcessorCount from cpus');
  t.equal(vm.state, 'Running');
  t.match(vm.vhd, /^C:\\pvconform\\images\\pvconform-linux-ref_hv-double-[0-9a-f]{6}\.vhdx$/, 'the VM runs on its own differencing disk');
  t.ok(model.files.has(vm.vhd.toLowerCase()), 'the differencing VHDX exists while the cell runs');
  t.equal(vm.comPath, `\\\\.\\pipe\\${vm.name}`, 'COM1 is a named pipe named for the VM');
  const newVhd = model.calls.find((c) => c.step === 'New-VHD')!;
  t.match(newVhd.script, `-ParentPath '${BASE_VHDX}' -Differencing`, 'New-VHD -Differencing on the base image');

  // What the machine offers.
  t.same(machine.offers, { family: 'hyperv', flavour: 'generation-1', interfaces: ['Hyper-V'], virtio: [], kvStore: 'hyperv-kvp', nics: [{ mac: machine.offers.nics[0].mac }] });
  t.match(machine.offers.nics[0].mac, /^02(:[0-9a-f]{2}){5}$/, 'a locally administered MAC chosen by the harness');
  t.equal(vm.macHex, machine.offers.nics[0].mac.replace(/:/g, '').toUpperCase(), 'and set on the VM as a static MAC');
  t.equal(machine.ssh.host, model.guestAddress, 'the guest address comes from Get-VMNetworkAdapter');
  t.equal(machine.ssh.via?.port, rig.host.port, 'the guest is reached through the host');
  t.ok(machine.bootToSshMs > 0, `boot to SSH measured (${machine.bootToSshMs} ms)`);
  t.ok(machine.hostKv, 'the host half of the KVP pools is offered');

  // KVP, guest to host: the guest's Guest and Auto pools.
  const kv = machine.hostKv!;
  t.equal(await kv.read('Guest/pvconform-probe'), 'written by the guest', 'host reads a Guest-pool key (GuestExchangeItems)');
  t.equal(await kv.read('auto/OSName'), 'OpenBSD', 'host reads the Auto pool (GuestIntrinsicExchangeItems), pool name in any case');
  t.equal(await kv.read('Guest/absent'), null, 'a missing key reads as null');
  t.same(await kv.list('Auto/'), ['Auto/IntegrationServicesVersion', 'Auto/OSName', 'Auto/OSVersion']);

  // KVP, host to guest: External keys added, modified, removed, each waiting on its job.
  const before = model.calls.length;
  await kv.write('External/pvconform-key', 'first');
  t.equal(vm.hostItems.get('pvconform-key'), 'first', 'AddKvpItems landed');
  await kv.write('External/pvconform-key', "second, with 'quotes' and \u2019curly\u2019 & <xml>");
  t.equal(vm.hostItems.get('pvconform-key'), "second, with 'quotes' and \u2019curly\u2019 & <xml>", 'ModifyKvpItems landed, quoting intact');
  t.equal(await kv.read('External/pvconform-key'), "second, with 'quotes' and \u2019curly\u2019 & <xml>", 'and reads back through HostExchangeItems');
  await kv.remove('External/pvconform-key');
  t.notOk(vm.hostItems.has('pvconform-key'), 'RemoveKvpItems landed');
  const kvpSteps = model.calls.slice(before).map((c) => c.step);
  t.same(kvpSteps, ['read pools', 'AddKvpItems', 'job', 'job', 'read pools', 'ModifyKvpItems', 'job', 'job', 'read pools', 'RemoveKvpItems', 'job', 'job'], 'each change waits for its job to report Completed');
  const add = model.calls.find((c) => c.step === 'AddKvpItems')!;
  t.match(add.script, '$item.Source = 0', 'host items are Source 0');
  t.match(add.script, 'PSBase.GetText(1)', 'passed as an embedded instance (CIM-XML)');

  // Stop and remove.
  const beforeStop = model.calls.length;
  await machine.stop();
  await machine.stop(); // safe twice
  const stopSteps = model.calls.slice(beforeStop).map((c) => c.step);
  t.same(stopSteps, ['Stop-VM', 'Remove-VM', 'Remove-Item'], 'stop: turn off, remove the VM, remove the VHDX; nothing repeated on the second stop()');
  t.match(model.calls.find((c) => c.step === 'Stop-VM')!.script, '-TurnOff', 'Stop-VM -TurnOff');
  t.equal(model.vms.size, 0, 'no VM left on the double');
  t.same([...model.files], [BASE_VHDX.toLowerCase()], 'only the base image left');

  // The console: both reader runs reached the log (the first ended, the provider reconnected).
  const consoleLog = await readFile(machine.consoleLog, 'utf8');
  t.ok(rig.host.consoleRuns >= 2, `COM1 reader restarted after it ended (${rig.host.consoleRuns} runs)`);
  t.match(consoleLog, rig.host.consoleLines[0].trim());
  t.match(consoleLog, rig.host.consoleLines[1].trim());
  t.same(machine.artifacts.map((a) => a.kind), ['console', 'transcript']);
  const transcript = await readFile(join(rig.runDir, machine.artifacts[1].path), 'utf8');
  t.match(transcript, /ok +New-VM/, 'the host transcript lists the steps');

  // Every command the double received was a -EncodedCommand PowerShell call.
  t.notOk(model.steps().includes('unknown'), 'the double recognised every script');
});

t.test('after stop() the host half reports an error, not a value', async (t) => {
  const rig = await startRig(t);
  const machine = await rig.provider().boot(rig.spec(), new AbortController().signal);
  await machine.stop();
  await t.rejects(machine.hostKv!.read('Guest/pvconform-probe'), { name: 'InfraError' });
});
