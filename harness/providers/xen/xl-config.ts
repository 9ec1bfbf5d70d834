// The `xl` domain configuration for one cell (xl.cfg(5)). Pure, so it is tested without a host.
import { InfraError } from '../../core/errors.ts';

export type DomainType = 'pv' | 'pvh' | 'hvm';

export interface DomainSpec {
  name: string;
  type: DomainType;
  memoryMiB: number;
  cpus: number;
  /** The MAC the harness chose for the guest's first vif. */
  mac: string;
  bridge: string;
  /** Raw files in dom0 given to the guest as data disks xvdb, xvdc, ... */
  dataDisks?: string[];
  boot:
    | { kind: 'kernel'; kernel: string; ramdisk: string; cmdline: string }
    | { kind: 'disk'; target: string; format: 'qcow2' | 'raw' };
}

/** xl.cfg strings are double-quoted without escapes: refuse what it could not carry. */
function str(field: string, value: string): string {
  if (/["\\\n\r]/.test(value)) throw new InfraError(`xl config ${field} cannot contain a double quote, a backslash or a newline: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

export function xlConfig(spec: DomainSpec): string {
  const lines = [
    `name = ${str('name', spec.name)}`,
    `type = ${str('type', spec.type)}`,
    `memory = ${spec.memoryMiB}`,
    `maxmem = ${spec.memoryMiB}`,
    `vcpus = ${spec.cpus}`,
    `vif = [ ${str('vif', `mac=${spec.mac},bridge=${spec.bridge}`)} ]`,
    // A guest that powers off or reboots is finished; a crash is kept for `xl list` to show.
    'on_poweroff = "destroy"',
    'on_reboot = "destroy"',
    'on_crash = "preserve"',
  ];
  const data = (spec.dataDisks ?? []).map((target, i) => str('disk', `format=raw,vdev=xvd${String.fromCharCode(98 + i)},access=rw,target=${target}`));
  if (spec.boot.kind === 'kernel') {
    lines.push(`kernel = ${str('kernel', spec.boot.kernel)}`, `ramdisk = ${str('ramdisk', spec.boot.ramdisk)}`, `cmdline = ${str('cmdline', spec.boot.cmdline)}`);
    if (data.length) lines.push(`disk = [ ${data.join(', ')} ]`);
  } else {
    lines.push(`disk = [ ${[str('disk', `format=${spec.boot.format},vdev=xvda,access=rw,target=${spec.boot.target}`), ...data].join(', ')} ]`);
    if (spec.type === 'hvm') lines.push('boot = "c"', 'serial = "pty"');
  }
  return lines.join('\n') + '\n';
}

/** The guest's kernel command line under Xen: the image's own arguments with its serial
 *  console replaced by the Xen console, then the harness's and the configs' additions. */
export function guestCmdline(imageAppend: string, additions: string[]): string {
  const own = imageAppend.split(/\s+/).filter((a) => a && !a.startsWith('console='));
  return [...own, 'console=hvc0', ...additions.filter(Boolean)].join(' ');
}
