// The registered hypervisor families, and the one provider per family a run uses. Each family
// registers itself from its own folder (providers/index.ts lists the folders); nothing here
// names one.
import { UsageError } from '../core/errors.ts';
import type { Offers } from '../core/offers.ts';
import type { Provider } from './provider.ts';
import type { HypervisorConfigBase, ProviderOptions, ProviderPlugin } from './plugin.ts';

export type { ProviderOptions } from './plugin.ts';

const plugins = new Map<string, ProviderPlugin>();

/** Adds a family. Its config parses from then on, and its cells appear in `expected` tables. */
export function registerProvider<C extends HypervisorConfigBase>(plugin: ProviderPlugin<C>): void {
  if (plugins.has(plugin.family)) throw new Error(`hypervisor family ${plugin.family} registered twice`);
  plugins.set(plugin.family, plugin as unknown as ProviderPlugin);
}

/** Removes a family (tests that register a throwaway one). */
export function unregisterProvider(family: string): void {
  plugins.delete(family);
}

export function providerPlugins(): ProviderPlugin[] {
  return [...plugins.values()];
}

export function providerFamilies(): string[] {
  return [...plugins.keys()];
}

export function providerPlugin(family: string): ProviderPlugin {
  const p = plugins.get(family);
  if (!p) throw new UsageError(`unknown hypervisor provider "${family}". Fix: use one of ${providerFamilies().join(', ')}`);
  return p;
}

/** Every name an `expected` table may use, over all families. */
export function expectationCells(): string[] {
  return providerPlugins().flatMap((p) => p.expectationCells);
}

/** The `expected` table's name for the cell a machine is. */
export function expectationCellOf(offers: Offers): string {
  return providerPlugin(offers.family).cellOf(offers);
}

const cache = new Map<string, Promise<Provider>>();

/** One provider per family for the whole run (a nested Xen host is shared by its cells). */
export function providerFor(config: HypervisorConfigBase, options: ProviderOptions): Promise<Provider> {
  let p = cache.get(config.provider);
  if (!p) {
    // The built-in families register when index.ts is read; a caller that built its cells by
    // hand (a test, a bench) may not have read it yet.
    p = (plugins.has(config.provider) ? Promise.resolve() : import('./index.ts')).then(() => providerPlugin(config.provider).create(options));
    cache.set(config.provider, p);
  }
  return p;
}

/** How much slower than native this config will run (one capped factor for all waits). */
export async function slowdownFor(config: HypervisorConfigBase, provider: Provider, kernel: string | null): Promise<number> {
  return provider.slowdown ? provider.slowdown(config, kernel) : 1;
}

/** Ends what providers keep for the whole run (a nested Xen host, say). */
export async function closeProviders(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const p of all) await (await p.catch(() => null))?.close?.().catch(() => {});
}
