// The host side of the Hyper-V Data Exchange (KVP) through WMI, namespace root\virtualization\v2.
// Shapes and steps as documented on learn.microsoft.com (see README.md, "KVP facts"), and as
// LISAv2's KVP scripts use them: Get-WmiObject for the VM, GetRelated() for its
// Msvm_KvpExchangeComponent, a Msvm_KvpExchangeDataItem made with CreateInstance() and passed
// as PSBase.GetText(1) (CIM-XML) to Add/Modify/RemoveKvpItems, which answer with a job.
import { psQuote as q } from './powershell.ts';

const NS = 'root\\virtualization\\v2';

function vmLookup(vmName: string): string {
  // vmName is [A-Za-z0-9._-] only (names.ts), so it sits safely in the WQL string.
  if (!/^[A-Za-z0-9._-]+$/.test(vmName)) throw new Error(`unsafe VM name for WQL: ${vmName}`);
  return `
$vm = Get-WmiObject -Namespace ${q(NS)} -Class Msvm_ComputerSystem -Filter "ElementName='${vmName}'"
if (-not $vm) { throw ${q(`no virtual machine named ${vmName} in ${NS}`)} }`;
}

/** The guest's pools as the host sees them: GuestExchangeItems (the guest's Guest pool),
 *  GuestIntrinsicExchangeItems (its Auto pool), and the host's own HostExchangeItems (what the
 *  guest sees as External), each a list of embedded Msvm_KvpExchangeDataItem instances. */
export function readPoolsScript(vmName: string): string {
  return `${vmLookup(vmName)}
$kvp = $vm.GetRelated('Msvm_KvpExchangeComponent') | Select-Object -First 1
$vssd = $vm.GetRelated('Msvm_VirtualSystemSettingData') | Where-Object { $_.VirtualSystemType -eq 'Microsoft:Hyper-V:System:Realized' } | Select-Object -First 1
$kvpSettings = $null
if ($vssd) { $kvpSettings = $vssd.GetRelated('Msvm_KvpExchangeComponentSettingData') | Select-Object -First 1 }
[pscustomobject]@{
  GuestExchangeItems = @($kvp.GuestExchangeItems | Where-Object { $_ })
  GuestIntrinsicExchangeItems = @($kvp.GuestIntrinsicExchangeItems | Where-Object { $_ })
  HostExchangeItems = @($kvpSettings.HostExchangeItems | Where-Object { $_ })
}`;
}

export type KvpMethod = 'AddKvpItems' | 'ModifyKvpItems' | 'RemoveKvpItems';

/** One host item (Source 0) through one Msvm_VirtualSystemManagementService method. Output:
 *  the method's ReturnValue (0 done, 4096 job started, else an error) and its Job reference. */
export function kvpMethodScript(method: KvpMethod, vmName: string, key: string, value: string): string {
  return `${vmLookup(vmName)}
$svc = Get-WmiObject -Namespace ${q(NS)} -Class Msvm_VirtualSystemManagementService
$item = ([WmiClass]("\\\\" + $svc.ClassPath.Server + "\\" + $svc.ClassPath.NamespacePath + ":Msvm_KvpExchangeDataItem")).CreateInstance()
$item.Name = ${q(key)}
$item.Data = ${q(value)}
$item.Source = 0
$r = $svc.${method}($vm, $item.PSBase.GetText(1))
[pscustomobject]@{ ReturnValue = [int]$r.ReturnValue; Job = [string]$r.Job }`;
}

/** One look at a Msvm_ConcreteJob. */
export function jobStateScript(jobPath: string): string {
  return `
$job = [wmi]${q(jobPath)}
[pscustomobject]@{ JobState = [int]$job.JobState; ErrorCode = [int]$job.ErrorCode; ErrorDescription = [string]$job.ErrorDescription; Status = [string]$job.Status }`;
}
