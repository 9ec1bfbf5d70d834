// TEST ONLY: the throwaway hypervisor family, registered in one line.
import { registerProvider } from '../../../harness/providers/registry.ts';
import { throwawayConfig, type ThrowawayConfig } from './config.ts';

registerProvider<ThrowawayConfig>({ family: 'throwaway-hv', configSchema: throwawayConfig, expectationCells: ['throwaway-hv'], cellOf: () => 'throwaway-hv', create: async () => new (await import('./provider.ts')).ThrowawayProvider() });
