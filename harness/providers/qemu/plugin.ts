// QEMU as a hypervisor family: its config, doctor's checks, its `expected` cells, its provider.
import { registerProvider } from '../registry.ts';
import { qemuConfig, type QemuConfig } from './config.ts';

registerProvider<QemuConfig>({
  family: 'qemu',
  configSchema: qemuConfig,
  expectationCells: ['qemu/kvm', 'qemu/tcg'],
  cellOf: (offers) => (offers.accel === 'tcg' ? 'qemu/tcg' : 'qemu/kvm'),
  checkHost: async () => (await import('./host-check.ts')).qemuHostFindings(),
  cannotRun: async (config) => (await import('./cell-check.ts')).qemuCannotRun(config),
  create: async (options) => new (await import('./provider.ts')).QemuProvider({ notice: options.notice }),
});
