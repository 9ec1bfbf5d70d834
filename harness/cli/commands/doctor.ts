// pvconform doctor: is this host able to run cells, and if not, what to install.
import type { Command } from 'commander';
import { execa } from 'execa';
import { statfs } from 'node:fs/promises';
import { probeKvm } from '../../providers/qemu/kvm-probe.ts';
import { findCachedImage } from '../../../vm-images/linux-ref/build.ts';
import { loadMatrix } from '../../config/load.ts';
import { diagnoseMatrix, type CellVerdict } from './doctor-matrix.ts';

interface Finding {
  what: string;
  ok: boolean;
  detail: string;
}

async function version(cmd: string, args: string[]): Promise<string | null> {
  try {
    const r = await execa(cmd, args, { encoding: 'utf8', timeout: 10_000 });
    return (r.stdout || r.stderr).split('\n')[0].trim();
  } catch {
    return null;
  }
}

export async function diagnose(): Promise<Finding[]> {
  const findings: Finding[] = [];
  const qemu = await version('qemu-system-x86_64', ['--version']);
  findings.push({ what: 'QEMU', ok: qemu !== null, detail: qemu ?? 'qemu-system-x86_64 not found. Fix: apt-get install qemu-system-x86' });
  const img = await version('qemu-img', ['--version']);
  findings.push({ what: 'qemu-img', ok: img !== null, detail: img ?? 'not found. Fix: apt-get install qemu-utils' });
  const image = await findCachedImage();
  findings.push({ what: 'linux-ref image', ok: image !== null, detail: image ? `${image.dir} (kernel ${image.kernelRelease})` : 'not built. Fix: pvconform images build linux-ref' });
  const kvm = qemu ? await probeKvm(image?.kernel ?? null) : null;
  findings.push({ what: 'KVM', ok: kvm?.usable ?? false, detail: kvm ? `${kvm.usable ? 'usable' : 'unusable, TCG will be used'}: ${kvm.reason}` : 'not probed: no QEMU' });
  for (const [tool, pkg] of [['apt-get', 'apt'], ['dpkg-deb', 'dpkg'], ['cpio', 'cpio'], ['ssh-keygen', 'openssh-client'], ['setpriv', 'util-linux'], ['gzip', 'gzip']] as const) {
    const found = await version('sh', ['-c', `command -v ${tool}`]);
    findings.push({ what: tool, ok: !!found, detail: found ?? `not found. Fix: apt-get install ${pkg}` });
  }
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
      // KVM being unusable is not a problem: TCG runs everything. Missing tools are.
      const toolsOk = findings.every((f) => f.ok || f.what === 'KVM' || f.what === 'linux-ref image');
      let cells: CellVerdict[] | null = null;
      if (opts.config) {
        const { config } = await loadMatrix(opts.config);
        const qemu = findings.find((f) => f.what === 'QEMU');
        const image = await findCachedImage();
        cells = await diagnoseMatrix(config, { qemu: qemu?.ok ? qemu.detail : null, kvm: qemu?.ok ? await probeKvm(image?.kernel ?? null) : null });
      }
      if (opts.json) process.stdout.write(JSON.stringify(cells ? { host: findings, cells } : findings, null, 2) + '\n');
      else {
        for (const f of findings) process.stdout.write(`${f.ok ? 'ok  ' : 'NO  '} ${f.what}: ${f.detail}\n`);
        if (cells) {
          process.stdout.write(`\n${opts.config}: which cells this host can run\n`);
          for (const c of cells) process.stdout.write(`${c.ok ? 'ok  ' : 'NO  '} ${c.guest} on ${c.hypervisor}: ${c.reasons.join('; ')}\n`);
        }
      }
      // With a matrix: exit 2 unless every cell can run here (a CI gate before `run`).
      process.exitCode = toolsOk && (cells ?? []).every((c) => c.ok) ? 0 : 2;
    });
}
