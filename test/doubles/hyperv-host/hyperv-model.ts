// TEST DOUBLE: a pretend Hyper-V host's state, and how it answers each PowerShell step the
// provider sends. It recognises the provider's scripts by the cmdlets in them (it is not a
// PowerShell interpreter), changes its state the way Hyper-V would, and answers with the
// documented shapes of shapes.ts. Failures can be injected per step.
import { randomUUID } from 'node:crypto';
import * as shape from './shapes.ts';

export interface Answer {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RecordedCall {
  /** What the double took the script for: preflight, New-VHD, New-VM, configure, ... */
  step: string;
  /** The Hyper-V cmdlets and WMI methods named in the script, in order of appearance. */
  cmdlets: string[];
  script: string;
}

export interface DoubleVm {
  name: string;
  generation: number;
  memoryBytes: number;
  vhd: string;
  switchName: string;
  cpus: number;
  macHex: string;
  comPath: string | null;
  state: 'Off' | 'Running';
  addressPolls: number;
  guestItems: Map<string, string>;
  intrinsicItems: Map<string, string>;
  hostItems: Map<string, string>;
}

interface Job {
  states: number[];
  errorCode: number;
  apply: () => void;
}

export type FailStyle = 'json' | 'clixml';

const CMDLETS = [
  'Test-Path', 'Get-VMSwitch', 'New-VHD', 'New-VM', 'Set-VM', 'Set-VMNetworkAdapter', 'Set-VMComPort', 'Get-VMComPort',
  'Start-VM', 'Get-VM', 'Get-VMNetworkAdapter', 'Stop-VM', 'Remove-VM', 'Remove-Item', 'Get-WmiObject',
  'AddKvpItems', 'ModifyKvpItems', 'RemoveKvpItems', 'Msvm_KvpExchangeComponent', '[wmi]', 'NamedPipeClientStream',
];

export class HypervModel {
  readonly files = new Set<string>();
  readonly switches = ['Default Switch'];
  readonly vms = new Map<string, DoubleVm>();
  readonly calls: RecordedCall[] = [];
  /** The address the guest "reports" through KVP, after `addressAfterPolls` looks. */
  guestAddress = '192.0.2.10';
  addressAfterPolls = 2;
  /** Guest-side keys every new VM starts with (the guest's Guest and Auto pools). */
  guestItems: Array<[string, string]> = [['pvconform-probe', 'written by the guest']];
  intrinsicItems: Array<[string, string]> = [['OSName', 'OpenBSD'], ['OSVersion', '7.8'], ['IntegrationServicesVersion', '6.6.6']];
  private readonly failures = new Map<string, { message: string; style: FailStyle }>();
  private readonly jobs = new Map<string, Job>();
  private readonly jobErrors = new Map<string, number>();

  /** The next script of this step answers as a failed cmdlet with this message. */
  failOn(step: string, message: string, style: FailStyle = 'json'): void {
    this.failures.set(step, { message, style });
  }

  /** The next job of this KVP method ends in JobState 10 with this error code. */
  failJob(method: string, errorCode: number): void {
    this.jobErrors.set(method, errorCode);
  }

  steps(): string[] {
    return this.calls.map((c) => c.step);
  }

  answer(script: string): Answer {
    const step = classify(script);
    this.calls.push({ step, cmdlets: cmdletsIn(script), script });
    const failure = this.failures.get(step);
    if (failure) {
      this.failures.delete(step);
      return failed(step, failure.message, failure.style);
    }
    try {
      return ok(this.run(step, script));
    } catch (e) {
      return failed(step, (e as Error).message, 'json');
    }
  }

  private run(step: string, script: string): unknown {
    switch (step) {
      case 'preflight': {
        const base = literalAfter(script, 'Test-Path -LiteralPath');
        return shape.preflightShape(this.has(base), this.switches, this.vms.has(param(script, 'Get-VM', '-Name')) ? 1 : 0);
      }
      case 'New-VHD': {
        const path = param(script, 'New-VHD', '-Path');
        const parent = param(script, 'New-VHD', '-ParentPath');
        if (!this.has(parent)) throw new Error(`Failed to create the virtual hard disk. The system cannot find the file specified. (${parent})`);
        if (this.has(path)) throw new Error(`Failed to create the virtual hard disk. The file exists. (${path})`);
        this.files.add(path.toLowerCase());
        return shape.virtualHardDiskShape(path, parent);
      }
      case 'New-VM': {
        const name = param(script, 'New-VM', '-Name');
        const vm: DoubleVm = {
          name,
          generation: Number(param(script, 'New-VM', '-Generation')),
          memoryBytes: Number(param(script, 'New-VM', '-MemoryStartupBytes')),
          vhd: param(script, 'New-VM', '-VHDPath'),
          switchName: param(script, 'New-VM', '-SwitchName'),
          cpus: 1,
          macHex: '00155D000000',
          comPath: null,
          state: 'Off',
          addressPolls: 0,
          guestItems: new Map(this.guestItems),
          intrinsicItems: new Map(this.intrinsicItems),
          hostItems: new Map(),
        };
        if (!this.switches.includes(vm.switchName)) throw new Error(`Hyper-V was unable to find a virtual switch with name "${vm.switchName}".`);
        this.vms.set(name, vm);
        return shape.virtualMachineShape(name, vm.generation, vm.state);
      }
      case 'configure': {
        const vm = this.vm(param(script, 'Set-VM', '-Name'));
        vm.cpus = Number(param(script, 'Set-VM', '-ProcessorCount'));
        vm.macHex = param(script, 'Set-VMNetworkAdapter', '-StaticMacAddress');
        return shape.networkAdapterShape(vm.macHex, vm.switchName); // one adapter: PowerShell prints the object, not a list
      }
      case 'Set-VMComPort': {
        const vm = this.vm(param(script, 'Set-VMComPort', '-VMName'));
        vm.comPath = param(script, 'Set-VMComPort', '-Path');
        return shape.comPortShape(vm.comPath);
      }
      case 'Start-VM': {
        const vm = this.vm(param(script, 'Start-VM', '-Name'));
        vm.state = 'Running';
        return shape.vmStateShape(vm.name, vm.state);
      }
      case 'Get-VMNetworkAdapter': {
        const vm = this.vm(param(script, 'Get-VM', '-Name'));
        vm.addressPolls++;
        const ips = vm.state === 'Running' && vm.addressPolls > this.addressAfterPolls ? [this.guestAddress, 'fe80::215:5dff:fe00:10'] : [];
        return shape.addressShape(vm.state, vm.macHex, ips);
      }
      case 'Stop-VM': {
        const vm = this.vm(param(script, 'Stop-VM', '-Name'));
        vm.state = 'Off';
        return shape.vmStateShape(vm.name, vm.state);
      }
      case 'Remove-VM': {
        const name = param(script, 'Remove-VM', '-Name');
        this.vm(name);
        this.vms.delete(name);
        return { Remaining: 0 };
      }
      case 'Remove-Item': {
        const path = literalAfter(script, 'Remove-Item -LiteralPath');
        this.files.delete(path.toLowerCase());
        return { Exists: false };
      }
      case 'read pools': {
        const vm = this.vm(/ElementName='([^']+)'/.exec(script)![1]);
        return shape.poolsShape(vm.guestItems, vm.intrinsicItems, vm.hostItems);
      }
      case 'AddKvpItems':
      case 'ModifyKvpItems':
      case 'RemoveKvpItems':
        return this.kvpMethod(step, script);
      case 'job': {
        const path = literalAfter(script, '[wmi]');
        const job = this.jobs.get(path);
        if (!job) throw new Error(`Not found (${path})`);
        const state = job.states.length > 1 ? job.states.shift()! : job.states[0];
        if (state === 7) job.apply();
        return shape.concreteJobShape(state, state === 7 ? 0 : state >= 8 ? job.errorCode : 0, state >= 8 ? 'The operation failed.' : '');
      }
      default:
        throw new Error(`the test double does not know this script (${step})`);
    }
  }

  /** Add fails when the key exists (AddKvpItems page); Modify and Remove of a missing key end
   *  with 32773 (as LISAv2 expects). The change lands when the job reports Completed. */
  private kvpMethod(method: string, script: string): unknown {
    const vm = this.vm(/ElementName='([^']+)'/.exec(script)![1]);
    const name = literalAfter(script, '$item.Name =');
    const data = literalAfter(script, '$item.Data =');
    const exists = vm.hostItems.has(name);
    const injected = this.jobErrors.get(method);
    this.jobErrors.delete(method);
    const errorCode = injected ?? (method === 'AddKvpItems' ? (exists ? 32768 : 0) : exists ? 0 : 32773);
    const id = randomUUID().toUpperCase();
    const apply = () => (method === 'RemoveKvpItems' ? vm.hostItems.delete(name) : vm.hostItems.set(name, data));
    this.jobs.set(shape.kvpMethodShape(id).Job, { states: errorCode ? [4, 10] : [4, 7], errorCode, apply: () => void apply() });
    return shape.kvpMethodShape(id);
  }

  private has(path: string): boolean {
    return this.files.has(path.toLowerCase());
  }

  private vm(name: string): DoubleVm {
    const vm = this.vms.get(name);
    if (!vm) throw new Error(`Hyper-V was unable to find a virtual machine with name "${name}".`);
    return vm;
  }
}

function classify(script: string): string {
  if (script.includes('NamedPipeClientStream')) return 'console';
  if (script.includes('Get-VMSwitch')) return 'preflight';
  if (script.includes('New-VHD')) return 'New-VHD';
  if (/\bNew-VM\b/.test(script)) return 'New-VM';
  if (script.includes('Set-VMNetworkAdapter')) return 'configure';
  if (script.includes('Set-VMComPort')) return 'Set-VMComPort';
  if (script.includes('Start-VM')) return 'Start-VM';
  if (script.includes('Stop-VM')) return 'Stop-VM';
  if (script.includes('Remove-VM')) return 'Remove-VM';
  if (script.includes('Remove-Item')) return 'Remove-Item';
  for (const m of ['AddKvpItems', 'ModifyKvpItems', 'RemoveKvpItems']) if (script.includes(`.${m}(`)) return m;
  if (script.includes('[wmi]')) return 'job';
  if (script.includes('Msvm_KvpExchangeComponent')) return 'read pools';
  if (script.includes('Get-VMNetworkAdapter')) return 'Get-VMNetworkAdapter';
  return 'unknown';
}

function cmdletsIn(script: string): string[] {
  const found: Array<[number, string]> = [];
  for (const c of CMDLETS) {
    const re = new RegExp(`${c.replace(/[[\]]/g, '\\$&')}(?![A-Za-z-])`, 'g');
    for (const m of script.matchAll(re)) found.push([m.index!, c]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, c]) => c);
}

/** The value after `cmdlet ... -Param` on the cmdlet's line: a '...' literal or a bare token. */
function param(script: string, cmdlet: string, name: string): string {
  const line = script.split('\n').find((l) => new RegExp(`(^|[\\s(])${cmdlet.replace(/-/g, '\\-')}\\s`).test(l)) ?? '';
  const m = new RegExp(`\\s${name}\\s+(${LITERAL}|\\S+)`).exec(line);
  if (!m) throw new Error(`test double: no ${name} for ${cmdlet} in the script`);
  return unquote(m[1]);
}

function literalAfter(script: string, marker: string): string {
  const at = script.indexOf(marker);
  if (at < 0) throw new Error(`test double: "${marker}" not in the script`);
  const m = new RegExp(`^\\s*(${LITERAL})`).exec(script.slice(at + marker.length));
  if (!m) throw new Error(`test double: no literal after "${marker}"`);
  return unquote(m[1]);
}

// PowerShell's single-quote characters are ' and U+2018..U+201B (PowerShell Language
// Specification, lexical grammar "single-quote-character"); inside a single-quoted string a
// doubled one stands for itself.
const Q = "'\u2018\u2019\u201A\u201B";
const LITERAL = `[${Q}](?:[^${Q}]|[${Q}]{2})*[${Q}]`;

function unquote(token: string): string {
  return Q.includes(token[0]) ? token.slice(1, -1).replace(new RegExp(`([${Q}])\\1`, 'g'), '$1') : token;
}

function ok(value: unknown): Answer {
  return { stdout: `PVCONFORM-JSON ${JSON.stringify(value)}\r\n`, stderr: '', code: 0 };
}

/** How powershell.exe ends when a cmdlet throws: through the provider's wrapper (one JSON line
 *  on stderr), or, for a host where the wrapper's own error line did not make it, PowerShell's
 *  CLIXML error stream (what powershell.exe writes for errors when its output is redirected). */
function failed(step: string, message: string, style: FailStyle): Answer {
  const command = step.includes('-') ? step : '';
  if (style === 'clixml') {
    const text = `${command || step} : ${message}`.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    return {
      stdout: '',
      stderr: `#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">${text}_x000D__x000A_</S><S S="Error">    + CategoryInfo          : NotSpecified_x000D__x000A_</S></Objs>`,
      code: 1,
    };
  }
  const error = { message, errorId: `${command || 'Unspecified'},Microsoft.HyperV.PowerShell.Commands`, category: 'InvalidOperation', command };
  return { stdout: '', stderr: `PVCONFORM-ERROR ${JSON.stringify(error)}\r\n`, code: 1 };
}
