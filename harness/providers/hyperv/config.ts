// A `provider: hyperv` hypervisor config.
import { z } from 'zod';
import { configName, cpus, memoryMiB, word } from '../../core/config-fields.ts';
import { sshHostFields } from '../ssh-host-fields.ts';

export const hypervConfig = z
  .object({
    name: configName(),
    provider: z.literal('hyperv'),
    host: z.object({ ...sshHostFields(), user: word(64) }).strict(),
    generation: z.number().int().min(1).max(2).default(1),
    switchName: word(256).default('Default Switch'),
    memoryMiB: memoryMiB(64, 1024),
    cpus: cpus(),
    /** Where base VHDX images live on the Windows host. */
    imageDir: word(1024).default('C:\\pvconform\\images'),
  })
  .strict();

export type HypervConfig = z.infer<typeof hypervConfig>;
