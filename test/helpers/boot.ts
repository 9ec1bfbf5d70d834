// Boots linux-ref under QEMU (TCG) through the real provider, for tests that need a live guest.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { QemuProvider } from '../../harness/providers/qemu/provider.ts';
import { resolveLinuxRef } from '../../vm-images/linux-ref/image.ts';
import { BASE_TIMEOUTS, scaled } from '../../harness/core/timeouts.ts';
import type { Machine } from '../../harness/providers/provider.ts';
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';

export async function bootLinuxRef(t: { teardown(fn: () => unknown): void }, devices: QemuConfig['devices'] = ['net', 'rng']): Promise<Machine & { image: Awaited<ReturnType<typeof resolveLinuxRef>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-test-boot-'));
  const image = await resolveLinuxRef();
  const provider = new QemuProvider();
  const machine = await provider.boot(
    {
      cellId: 'linux-ref@test',
      image,
      hypervisor: { name: 'test', provider: 'qemu', accel: 'tcg', machine: 'q35', memoryMiB: 512, cpus: 1, devices, extraKernelArgs: '' },
      workDir: join(dir, 'work'),
      artifactsDir: join(dir, 'artifacts'),
      runDir: dir,
      timeouts: scaled(BASE_TIMEOUTS, 2),
      log: () => {},
    },
    new AbortController().signal,
  );
  t.teardown(async () => {
    await machine.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return Object.assign(machine, { image });
}
