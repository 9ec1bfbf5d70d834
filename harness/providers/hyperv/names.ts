// What the harness names on the Windows host for one cell: the VM, its disk, its COM1 pipe and
// its MAC. Names are restricted to [A-Za-z0-9._-] so they can sit inside a WQL filter and a
// PowerShell string without any escaping doubt.
import { randomBytes } from 'node:crypto';

export interface CellNames {
  /** Hyper-V VM name: `pvconform-<cell>-<6 hex>`, unique per boot. */
  vmName: string;
  /** The base image on the host, never written. */
  baseVhdx: string;
  /** The differencing disk on the base, removed on stop. */
  diffVhdx: string;
  /** COM1's named pipe, `\\.\pipe\<vmName>`. */
  pipePath: string;
  /** The pipe's name without the `\\.\pipe\` prefix, as NamedPipeClientStream wants it. */
  pipeName: string;
}

export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}

export function cellNames(cellId: string, imageName: string, imageDir: string, suffix = randomBytes(3).toString('hex')): CellNames {
  const vmName = `pvconform-${safeName(cellId)}-${suffix}`;
  const dir = imageDir.replace(/[\\/]+$/, '');
  return {
    vmName,
    baseVhdx: `${dir}\\${imageName}.vhdx`,
    diffVhdx: `${dir}\\${vmName}.vhdx`,
    pipePath: `\\\\.\\pipe\\${vmName}`,
    pipeName: vmName,
  };
}

/** A locally administered, unicast MAC (first octet 0x02): never a vendor's, never multicast. */
export function chooseMac(bytes: Buffer = randomBytes(5)): string {
  return ['02', ...[...bytes.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Hyper-V writes MACs as 12 hex digits without separators ("02AB..."); compare on that form. */
export function hypervMac(mac: string): string {
  return mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}
