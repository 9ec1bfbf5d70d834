// Hyper-V as a hypervisor family: its config and the refusal of Generation 2 (no host needed),
// its `expected` cell, its provider (a Windows host over SSH).
import { registerProvider } from '../registry.ts';
import { hypervConfig, type HypervConfig } from './config.ts';
import { checkHypervConfig } from './config-check.ts';
import { tcpProblem } from '../../core/host-tools.ts';

registerProvider<HypervConfig>({
  family: 'hyperv',
  configSchema: hypervConfig,
  expectationCells: ['hyperv'],
  cellOf: () => 'hyperv',
  checkConfig: checkHypervConfig,
  cannotRun: async (config) => {
    const why = await tcpProblem(config.host.address, config.host.port);
    return why ? [`no Hyper-V host: ${config.host.address}:${config.host.port} does not answer SSH from here (${why})`] : [];
  },
  create: async () => new (await import('./provider.ts')).HypervProvider(),
});
