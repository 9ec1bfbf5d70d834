// Hypervisor config -> the provider that runs it. One folder per family beside this file.
import type { HypervisorConfig } from '../config/schema.ts';
import { InfraError } from '../core/errors.ts';
import type { Provider } from './provider.ts';
import { QemuProvider } from './qemu/provider.ts';
import { HypervProvider } from './hyperv/provider.ts';

export interface ProviderOptions {
  notice(message: string): void;
}

const cache = new Map<string, Provider>();

export async function providerFor(config: HypervisorConfig, options: ProviderOptions): Promise<Provider> {
  const existing = cache.get(config.provider);
  if (existing) return existing;
  let provider: Provider;
  switch (config.provider) {
    case 'qemu':
      provider = new QemuProvider({ notice: options.notice });
      break;
    case 'hyperv':
      provider = new HypervProvider();
      break;
    default:
      throw new InfraError(`the ${config.provider} provider is not available in this build`);
  }
  cache.set(config.provider, provider);
  return provider;
}

/** How much slower than native this config will run (one capped factor for all waits). */
export async function slowdownFor(config: HypervisorConfig, provider: Provider, kernel: string | null): Promise<number> {
  if (provider instanceof QemuProvider) return (await provider.chooseAccel(config as never, kernel)) === 'tcg' ? 2 : 1;
  return 1;
}
