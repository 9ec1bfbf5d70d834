// Guest OS -> adapter. The BSD adapters load lazily: a Linux-only run never reads them.
import type { GuestOs } from '../core/checks.ts';
import type { GuestAdapter } from '../core/guest-adapter.ts';
import { linuxAdapter } from './linux/adapter.ts';

const adapters: Partial<Record<GuestOs, () => Promise<GuestAdapter>>> = {
  linux: async () => linuxAdapter,
  openbsd: async () => (await import('./openbsd/adapter.ts')).openbsdAdapter,
  netbsd: async () => (await import('./netbsd/adapter.ts')).netbsdAdapter,
};

export async function adapterFor(os: GuestOs): Promise<GuestAdapter> {
  const load = adapters[os];
  if (!load) throw new Error(`no guest adapter for ${os}`);
  return load();
}
