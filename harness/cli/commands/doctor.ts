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
import { loadMatrix } from '../../config/load.ts';
import { diagnoseMatrix, type CellVerdict } from './doctor-matrix.ts';

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
    .description('check this host: QEMU, whether KVM really runs a guest, image build tools, disk space; with --config, which cells of a matrix can run here and why not')
    .option('--json', 'print the findings as JSON')
    .option('--config <file>', 'also say, for each guest and hypervisor of this matrix file, whether this host can run it')
    .action(async (opts: { json?: boolean; config?: string }) => {
      const findings = await diagnose();
      let cells: CellVerdict[] | null = null;
      if (opts.config) cells = await diagnoseMatrix((await loadMatrix(opts.config)).config);
      if (opts.json) process.stdout.write(JSON.stringify(cells ? { host: findings, cells } : findings, null, 2) + '\n');
      else {
        for (const f of findings) process.stdout.write(`${f.ok ? 'ok  ' : 'NO  '} ${f.what}: ${f.detail}\n`);
        if (cells) {
          process.stdout.write(`\n${opts.config}: which cells this host can run\n`);
          for (const c of cells) process.stdout.write(`${c.ok ? 'ok  ' : 'NO  '} ${c.guest} on ${c.hypervisor}: ${c.reasons.join('; ')}\n`);
        }
      }
      // KVM being unusable is not a problem: TCG runs everything. Missing tools are. With a
      // matrix: exit 2 unless every cell can run here (a CI gate before `run`).
      process.exitCode = findings.every((f) => f.ok || f.optional) && (cells ?? []).every((c) => c.ok) ? 0 : 2;
    });
}
