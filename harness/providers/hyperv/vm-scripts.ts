// The PowerShell bodies for one cell's VM, one per step, each selecting only the properties the
// harness reads (whole Hyper-V objects are large and their enums serialise as bare numbers, so
// enums are turned into their names here). Cmdlet reference: learn.microsoft.com/powershell/module/hyper-v/.
import { psQuote as q } from './powershell.ts';

/** Is the Hyper-V module there, does the base image exist, which switches are there, and is a
 *  VM of this name already there (a leak from an earlier run)? */
export function preflightScript(baseVhdx: string, vmName: string): string {
  return `
if (-not (Get-Command New-VM -ErrorAction SilentlyContinue)) { throw 'the Hyper-V PowerShell module is not installed on this host (New-VM not found)' }
[pscustomobject]@{
  BaseExists = [bool](Test-Path -LiteralPath ${q(baseVhdx)})
  Switches = @(Get-VMSwitch | ForEach-Object { [string]$_.Name })
  ExistingVms = @(Get-VM -Name ${q(vmName)} -ErrorAction SilentlyContinue).Count
}`;
}

/** New-VHD -Differencing: the cell writes to its own child disk, the base stays untouched.
 *  Output: Microsoft.Vhd.PowerShell.VirtualHardDisk (Path, ParentPath, VhdFormat, VhdType). */
export function newDifferencingVhdScript(baseVhdx: string, diffVhdx: string): string {
  return `
New-VHD -Path ${q(diffVhdx)} -ParentPath ${q(baseVhdx)} -Differencing |
  Select-Object Path, ParentPath, @{n='VhdFormat';e={[string]$_.VhdFormat}}, @{n='VhdType';e={[string]$_.VhdType}}`;
}

/** New-VM -Generation 1 with the memory and switch of the config.
 *  Output: Microsoft.HyperV.PowerShell.VirtualMachine (Name, Id, Generation, State). */
export function newVmScript(vmName: string, memoryMiB: number, diffVhdx: string, switchName: string): string {
  return `
New-VM -Name ${q(vmName)} -Generation 1 -MemoryStartupBytes ${memoryMiB * 1024 * 1024} -VHDPath ${q(diffVhdx)} -SwitchName ${q(switchName)} |
  Select-Object Name, @{n='Id';e={[string]$_.Id}}, Generation, @{n='State';e={[string]$_.State}}`;
}

/** CPUs, fixed memory and the MAC the harness chose (so offers.nics is what the guest sees). */
export function configureVmScript(vmName: string, cpus: number, macHex: string): string {
  return `
Set-VM -Name ${q(vmName)} -ProcessorCount ${cpus} -StaticMemory
Set-VMNetworkAdapter -VMName ${q(vmName)} -StaticMacAddress ${q(macHex)}
Get-VMNetworkAdapter -VMName ${q(vmName)} | Select-Object MacAddress, SwitchName`;
}

/** COM1 to a named pipe; Hyper-V serves the pipe while the VM runs. */
export function setComPortScript(vmName: string, pipePath: string): string {
  return `
Set-VMComPort -VMName ${q(vmName)} -Number 1 -Path ${q(pipePath)}
Get-VMComPort -VMName ${q(vmName)} -Number 1 | Select-Object Name, Path`;
}

export function startVmScript(vmName: string): string {
  return `
Start-VM -Name ${q(vmName)}
Get-VM -Name ${q(vmName)} | Select-Object Name, @{n='State';e={[string]$_.State}}`;
}

/** The VM's state and its adapters' addresses. Hyper-V fills IPAddresses from what the guest's
 *  KVP service reports, so a guest without one never gets an address here. */
export function addressScript(vmName: string): string {
  return `
$vm = Get-VM -Name ${q(vmName)}
[pscustomobject]@{
  State = [string]$vm.State
  Adapters = @(Get-VMNetworkAdapter -VMName ${q(vmName)} | ForEach-Object {
    [pscustomobject]@{ MacAddress = [string]$_.MacAddress; IPAddresses = @($_.IPAddresses | ForEach-Object { [string]$_ }) }
  })
}`;
}

/** Power off at once (the harness has what it needs; a graceful shutdown is a check's business). */
export function stopVmScript(vmName: string): string {
  return `
Stop-VM -Name ${q(vmName)} -TurnOff -Force
Get-VM -Name ${q(vmName)} | Select-Object Name, @{n='State';e={[string]$_.State}}`;
}

/** Remove-VM leaves the disks; the count shows whether the VM is really gone. */
export function removeVmScript(vmName: string): string {
  return `
Remove-VM -Name ${q(vmName)} -Force
[pscustomobject]@{ Remaining = @(Get-VM -Name ${q(vmName)} -ErrorAction SilentlyContinue).Count }`;
}

export function removeVhdScript(diffVhdx: string): string {
  return `
if (Test-Path -LiteralPath ${q(diffVhdx)}) { Remove-Item -LiteralPath ${q(diffVhdx)} -Force }
[pscustomobject]@{ Exists = [bool](Test-Path -LiteralPath ${q(diffVhdx)}) }`;
}

/** Reads COM1's pipe and copies it to stdout, reconnecting while Hyper-V serves the pipe; gives
 *  up after `maxMisses` failed connects in a row (the VM is gone) or `lifetimeS` seconds. */
export function consoleReaderScript(pipeName: string, maxMisses: number, lifetimeS: number): string {
  return `
$deadline = (Get-Date).AddSeconds(${lifetimeS})
$misses = 0
$out = [Console]::OpenStandardOutput()
$buf = New-Object byte[] 4096
while ((Get-Date) -lt $deadline -and $misses -lt ${maxMisses}) {
  $pipe = New-Object System.IO.Pipes.NamedPipeClientStream('.', ${q(pipeName)}, [System.IO.Pipes.PipeDirection]::In)
  try { $pipe.Connect(2000) } catch { $pipe.Dispose(); $misses++; Start-Sleep -Milliseconds 500; continue }
  $misses = 0
  try { while (($n = $pipe.Read($buf, 0, $buf.Length)) -gt 0) { $out.Write($buf, 0, $n); $out.Flush() } } catch { } finally { $pipe.Dispose() }
}`;
}
