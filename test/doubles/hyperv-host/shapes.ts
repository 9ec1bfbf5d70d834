// TEST DOUBLE: the JSON a Windows Hyper-V host prints for each PowerShell step of the provider.
// No Hyper-V host exists where these tests run. Every shape below is written from the
// documentation cited next to it (property names and types), not captured from a real host;
// values are made up. Enum properties are strings because the provider's scripts convert them
// with [string] before ConvertTo-Json.
import { randomUUID } from 'node:crypto';

/** learn.microsoft.com/powershell/module/hyper-v/get-vmswitch: VMSwitch objects, Name: string.
 *  Preflight also reads Test-Path (bool) and a Get-VM count. */
export function preflightShape(baseExists: boolean, switches: string[], existingVms: number) {
  return { BaseExists: baseExists, Switches: switches, ExistingVms: existingVms };
}

/** learn.microsoft.com/powershell/module/hyper-v/new-vhd: output
 *  Microsoft.Vhd.PowerShell.VirtualHardDisk; properties as Get-VHD shows them (Path,
 *  ParentPath, VhdFormat VHD|VHDX|VHDSet, VhdType Fixed|Dynamic|Differencing). */
export function virtualHardDiskShape(path: string, parentPath: string) {
  return { Path: path, ParentPath: parentPath, VhdFormat: 'VHDX', VhdType: 'Differencing' };
}

/** learn.microsoft.com/powershell/module/hyper-v/new-vm: output
 *  Microsoft.HyperV.PowerShell.VirtualMachine (Name, Id: Guid, Generation: int, State: VMState). */
export function virtualMachineShape(name: string, generation: number, state: string) {
  return { Name: name, Id: randomUUID(), Generation: generation, State: state };
}

/** learn.microsoft.com/powershell/module/hyper-v/get-vmnetworkadapter: output
 *  Microsoft.HyperV.PowerShell.VMNetworkAdapter; MacAddress is 12 hex digits without
 *  separators, SwitchName the switch's name, IPAddresses a string array that Hyper-V fills from
 *  the guest's KVP data exchange (anchors.md: LISA reads the guest IP the same way). */
export function networkAdapterShape(macHex: string, switchName: string) {
  return { MacAddress: macHex, SwitchName: switchName };
}

export function addressShape(state: string, macHex: string, ipAddresses: string[]) {
  return { State: state, Adapters: [{ MacAddress: macHex, IPAddresses: ipAddresses }] };
}

/** learn.microsoft.com/powershell/module/hyper-v/get-vmcomport: Microsoft.HyperV.PowerShell.VMComPort
 *  (Name "COM 1", Path the named pipe). */
export function comPortShape(path: string) {
  return { Name: 'COM 1', Path: path };
}

/** learn.microsoft.com/powershell/module/hyper-v/get-vm (Name, State: VMState Running|Off|...). */
export function vmStateShape(name: string, state: string) {
  return { Name: name, State: state };
}

/** One Msvm_KvpExchangeDataItem as an embedded instance (CIM-XML), the form Hyper-V puts in
 *  GuestExchangeItems / GuestIntrinsicExchangeItems / HostExchangeItems. Property set and
 *  Source values: learn.microsoft.com/windows/win32/hyperv_v2/msvm-kvpexchangedataitem
 *  (0 host, 1 guest, 2 guest intrinsic, 4 host-only); element layout as in Microsoft's sample
 *  "Getting the virtual machine DNS name" (Caption/Data/Description/ElementName/Name/Source,
 *  PROPAGATED="true" on the inherited ones). */
export function kvpItemXml(name: string, data: string, source: number): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return (
    '<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">' +
    '<PROPERTY NAME="Caption" PROPAGATED="true" TYPE="string"></PROPERTY>' +
    `<PROPERTY NAME="Data" TYPE="string"><VALUE>${esc(data)}</VALUE></PROPERTY>` +
    '<PROPERTY NAME="Description" PROPAGATED="true" TYPE="string"></PROPERTY>' +
    '<PROPERTY NAME="ElementName" PROPAGATED="true" TYPE="string"></PROPERTY>' +
    `<PROPERTY NAME="Name" TYPE="string"><VALUE>${esc(name)}</VALUE></PROPERTY>` +
    `<PROPERTY NAME="Source" TYPE="uint16"><VALUE>${source}</VALUE></PROPERTY>` +
    '</INSTANCE>'
  );
}

/** Msvm_KvpExchangeComponent.GuestExchangeItems / GuestIntrinsicExchangeItems (string[] of
 *  embedded instances; learn.microsoft.com/windows/win32/hyperv_v2/msvm-kvpexchangecomponent)
 *  and Msvm_KvpExchangeComponentSettingData.HostExchangeItems (same form;
 *  .../msvm-kvpexchangecomponentsettingdata). */
export function poolsShape(guest: Map<string, string>, intrinsic: Map<string, string>, host: Map<string, string>) {
  return {
    GuestExchangeItems: [...guest].map(([k, v]) => kvpItemXml(k, v, 1)),
    GuestIntrinsicExchangeItems: [...intrinsic].map(([k, v]) => kvpItemXml(k, v, 2)),
    HostExchangeItems: [...host].map(([k, v]) => kvpItemXml(k, v, 0)),
  };
}

/** learn.microsoft.com/windows/win32/hyperv_v2/addkvpitems-msvm-virtualsystemmanagementservice
 *  (and ModifyKvpItems / RemoveKvpItems): uint32 return, 4096 = "Method Parameters Checked -
 *  Job Started", with Job a CIM_ConcreteJob reference (a WMI path as PowerShell prints it). */
export function kvpMethodShape(jobId: string) {
  return { ReturnValue: 4096, Job: `\\\\HVHOST\\root\\virtualization\\v2:Msvm_ConcreteJob.InstanceID="${jobId}"` };
}

/** learn.microsoft.com/windows/win32/hyperv_v2/msvm-concretejob: JobState 2 New, 3 Starting,
 *  4 Running, 5 Suspended, 6 Shutting Down, 7 Completed, 8 Terminated, 9 Killed, 10 Exception,
 *  11 Service; ErrorCode uint16, ErrorDescription string. Error 32773 for a key that does not
 *  exist is what LISAv2's KVP-ModifyKeyValues.ps1 expects. */
export function concreteJobShape(jobState: number, errorCode = 0, errorDescription = '') {
  return { JobState: jobState, ErrorCode: errorCode, ErrorDescription: errorDescription, Status: errorCode === 0 ? 'OK' : 'Error' };
}
