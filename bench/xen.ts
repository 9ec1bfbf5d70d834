// The Xen figures of `npm run bench -- --xen`: a fresh domU per suite by xl restore of the state
// saved at readiness, against the same domU's own xl create to SSH, on the nested Xen host (its
// images must be built: bin/pvconform images build xen-host). Both are measured in this run.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { XenProvider } from '../harness/providers/xen/provider.ts';
import type { XenConfig } from '../harness/providers/xen/config.ts';
import type { GuestImage } from '../harness/images/guest-image.ts';
import { BASE_TIMEOUTS, scaled } from '../harness/core/timeouts.ts';

export interface XenFigures {
  createToSshMs: number;
  restoreToSshMs: number;
  restores: number[];
  coldBootToSshMs: number;
  saveMs: number;
  saveMiB: number;
  /** The provider's own breakdown of each restore (xl destroy, xl restore, to SSH). */
  restoreSteps: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchXen(image: GuestImage, rounds: number): Promise<XenFigures> {
  const scratch = mkdtempSync(join(tmpdir(), 'pvconform-bench-xen-'));
  const provider = new XenProvider();
  const log: string[] = [];
  try {
    const config: XenConfig = { name: 'bench-xen', provider: 'xen', host: 'nested', type: 'pv', disks: 0, memoryMiB: 192, cpus: 1, extraKernelArgs: '' };
    const m = await provider.boot(
      { cellId: 'bench@xen', image, hypervisor: config, workDir: join(scratch, 'w'), artifactsDir: join(scratch, 'a'), runDir: scratch, timeouts: scaled(BASE_TIMEOUTS, await provider.slowdown(config)), log: (s) => log.push(s), freshPerSuite: true },
      new AbortController().signal,
    );
    const text = () => log.join('\n');
    const createToSshMs = Number(/domU create to SSH ([\d.]+) s/.exec(text())?.[1]) * 1000;
    const saved = /guest state saved \((\d+) MiB\) in ([\d.]+) s/.exec(text());
    if (!m.restoreFresh || !saved) throw new Error(`the domU's state was not saved: ${text()}`);
    let sh = m.shell!;
    const restores: number[] = [];
    for (let i = 0; i < rounds + 1; i++) {
      await sh.close();
      const s = Date.now();
      sh = await m.restoreFresh();
      restores.push(Date.now() - s);
      await sh.exec('true');
    }
    await sh.close();
    const s = Date.now();
    sh = await m.restoreFresh({ coldBoot: true });
    const coldBootToSshMs = Date.now() - s;
    await sh.close();
    await m.stop();
    return { createToSshMs, restoreToSshMs: median(restores), restores, coldBootToSshMs, saveMs: Number(saved[2]) * 1000, saveMiB: Number(saved[1]), restoreSteps: log.filter((l) => / restored as domid /.test(l)).map((l) => l.replace(/^.*?: /, '')) };
  } finally {
    await provider.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
