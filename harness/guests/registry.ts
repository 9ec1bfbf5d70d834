// Guest OS -> adapter. The OpenBSD and NetBSD adapters register here too.
import type { GuestOs } from '../core/checks.ts';
import type { GuestAdapter } from './adapter.ts';
import { linuxAdapter } from './linux/adapter.ts';

const adapters: Partial<Record<GuestOs, () => Promise<GuestAdapter>>> = {
  linux: async () => linuxAdapter,
};

export async function adapterFor(os: GuestOs): Promise<GuestAdapter> {
  const load = adapters[os];
  if (!load) throw new Error(`no guest adapter for ${os}`);
  return load();
}
