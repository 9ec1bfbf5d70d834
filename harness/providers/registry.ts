// Hypervisor config -> the provider that runs it. One folder per family beside this file,
// loaded only when a cell needs it, so one family's trouble cannot stop the others.
import type { HypervisorConfig } from '../config/schema.ts';
import type { Provider } from './provider.ts';

export interface ProviderOptions {
  notice(message: string): void;
}

const cache = new Map<string, Promise<Provider>>();

async function load(family: HypervisorConfig['provider'], options: ProviderOptions): Promise<Provider> {
  switch (family) {
    case 'qemu':
      return new (await import('./qemu/provider.ts')).QemuProvider({ notice: options.notice });
    case 'xen':
      return new (await import('./xen/provider.ts')).XenProvider({ notice: options.notice });
    case 'hyperv':
      return new (await import('./hyperv/provider.ts')).HypervProvider();
  }
}

/** One provider per family for the whole run (a nested Xen host is shared by its cells). */
export function providerFor(config: HypervisorConfig, options: ProviderOptions): Promise<Provider> {
  let p = cache.get(config.provider);
  if (!p) {
    p = load(config.provider, options);
    cache.set(config.provider, p);
  }
  return p;
}

/** How much slower than native this config will run (one capped factor for all waits). */
export async function slowdownFor(config: HypervisorConfig, provider: Provider, kernel: string | null): Promise<number> {
  return provider.slowdown ? provider.slowdown(config, kernel) : 1;
}

/** Ends what providers keep for the whole run (a nested Xen host, say). */
export async function closeProviders(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const p of all) await (await p.catch(() => null))?.close?.().catch(() => {});
}
