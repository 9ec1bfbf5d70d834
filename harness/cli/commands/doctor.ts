// pvconform doctor: is this host able to run cells, and if not, what to install.
import type { Command } from 'commander';
import { statfs } from 'node:fs/promises';
import type { HostFinding } from '../../core/host-finding.ts';
import { providerPlugins } from '../../providers/registry.ts';
import '../../providers/index.ts';
import { guestOsPlugins } from '../../guests/registry.ts';
import '../../guests/index.ts';
import { imageRecipes } from '../../images/registry.ts';
import '../../../vm-images/index.ts';

export async function diagnose(): Promise<HostFinding[]> {
  const findings: HostFinding[] = [];
  // Each hypervisor family checks what it needs here (QEMU: its binaries and whether KVM works).
  // Each plug-in checks what it needs here: a hypervisor family its binaries (QEMU: and whether
  // KVM works), an image recipe its build tools and whether it is built.
  for (const plugin of [...providerPlugins(), ...guestOsPlugins(), ...imageRecipes()]) findings.push(...((await plugin.checkHost?.()) ?? []));
  const fs = await statfs('.');
  const freeGiB = (fs.bavail * fs.bsize) / 2 ** 30;
  findings.push({ what: 'disk space', ok: freeGiB >= 2, detail: `${freeGiB.toFixed(1)} GiB free here${freeGiB < 2 ? ' (need 2 GiB for images and overlays)' : ''}` });
  return findings;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check this host: QEMU, whether KVM really runs a guest, image build tools, disk space')
    .option('--json', 'print the findings as JSON')
    .action(async (opts) => {
      const findings = await diagnose();
      if (opts.json) process.stdout.write(JSON.stringify(findings, null, 2) + '\n');
      else for (const f of findings) process.stdout.write(`${f.ok ? 'ok  ' : 'NO  '} ${f.what}: ${f.detail}\n`);
      // KVM being unusable is not a problem: TCG runs everything. Missing tools are.
      process.exitCode = findings.every((f) => f.ok || f.optional) ? 0 : 2;
    });
}
