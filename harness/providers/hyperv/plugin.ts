// Hyper-V as a hypervisor family: its config and the refusal of Generation 2 (no host needed),
// its `expected` cell, its provider (a Windows host over SSH).
import { registerProvider } from '../registry.ts';
import { hypervConfig, type HypervConfig } from './config.ts';
import { checkHypervConfig } from './config-check.ts';

registerProvider<HypervConfig>({
  family: 'hyperv',
  configSchema: hypervConfig,
  expectationCells: ['hyperv'],
  cellOf: () => 'hyperv',
  checkConfig: checkHypervConfig,
  create: async () => new (await import('./provider.ts')).HypervProvider(),
});
