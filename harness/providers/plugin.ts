// What a hypervisor family brings to the harness, all from its own folder: the fields of its
// config (zod), the refusals that need no host, what `doctor` checks on this host, the names its
// cells go by in a check's `expected` table, and how to make its provider. A family's folder
// ends with one `registerProvider(...)` line, and providers/index.ts imports the folder.
import { z } from 'zod';
import type { Offers } from '../core/offers.ts';
import type { HostFinding } from '../core/host-finding.ts';
import type { HypervisorConfigBase, Provider } from './provider.ts';

export type { HypervisorConfigBase } from './provider.ts';

export interface ProviderOptions {
  notice(message: string): void;
}

export interface ProviderPlugin<C extends HypervisorConfigBase = HypervisorConfigBase> {
  family: string;
  /** The family's config: a strict z.object whose `provider` is z.literal(family). */
  configSchema: z.ZodType<C>;
  /** The names this family's cells go by in a check's `expected` table ('qemu/kvm', 'qemu/tcg'). */
  expectationCells: readonly string[];
  /** Which of `expectationCells` a booted machine is. */
  cellOf(offers: Offers): string;
  /** Throws UsageError for a config no host could run (before anything boots). */
  checkConfig?(config: C): void;
  /** This host's readiness for the family, for `pvconform doctor`. */
  checkHost?(): Promise<HostFinding[]>;
  /** Why this host cannot run cells of this config, one reason each (none: it can), for
   *  `pvconform doctor --config`: no KVM for a config that needs it, an unreachable host... */
  cannotRun?(config: C): Promise<string[]>;
  /** Loads the provider (its modules are read only when a cell needs them). */
  create(options: ProviderOptions): Promise<Provider>;
}

/** A hypervisor config's `name`, the same rule for every family. */
export { configName } from '../core/config-fields.ts';
