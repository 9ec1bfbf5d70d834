// Xen as a hypervisor family: its config, its `expected` cell, its provider (a dom0 over SSH,
// or the nested host booted under QEMU, whose tools QEMU's doctor lines cover).
import { registerProvider } from '../registry.ts';
import { xenConfig, type XenConfig } from './config.ts';

registerProvider<XenConfig>({
  family: 'xen',
  configSchema: xenConfig,
  expectationCells: ['xen'],
  cellOf: () => 'xen',
  cannotRun: async (config) => (await import('./cell-check.ts')).xenCannotRun(config),
  create: async (options) => new (await import('./provider.ts')).XenProvider({ notice: options.notice }),
});
