// A `provider: qemu` hypervisor config (moved here from config/schema.ts unchanged).
import { z } from 'zod';
import { VIRTIO_CLASSES } from '../../core/offers.ts';
import { configName } from '../plugin.ts';

const virtioClass = z.enum(VIRTIO_CLASSES as unknown as [string, ...string[]]);

export const qemuConfig = z
  .object({
    name: configName(),
    provider: z.literal('qemu'),
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
    machine: z.string().default('q35'),
    cpu: z.string().optional(),
    memoryMiB: z.number().int().min(64).max(16384).default(512),
    cpus: z.number().int().min(1).max(64).default(1),
    /** virtio devices offered to the guest; a class left out is withheld. */
    devices: z.array(virtioClass).default([...VIRTIO_CLASSES]),
    /** Appended to the guest's kernel command line (direct-boot images only). */
    extraKernelArgs: z.string().default(''),
  })
  .strict();

export type QemuConfig = z.infer<typeof qemuConfig>;
