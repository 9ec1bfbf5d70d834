// A `provider: hyperv` hypervisor config (moved here from config/schema.ts unchanged).
import { z } from 'zod';
import { configName } from '../plugin.ts';

export const hypervConfig = z
  .object({
    name: configName(),
    provider: z.literal('hyperv'),
    host: z.object({
      address: z.string(),
      port: z.number().int().default(22),
      user: z.string(),
      privateKey: z.string(),
      hostKey: z.string(),
    }).strict(),
    generation: z.number().int().default(1),
    switchName: z.string().default('Default Switch'),
    memoryMiB: z.number().int().min(64).default(1024),
    cpus: z.number().int().min(1).default(1),
    /** Where base VHDX images live on the Windows host. */
    imageDir: z.string().default('C:\\pvconform\\images'),
  })
  .strict();

export type HypervConfig = z.infer<typeof hypervConfig>;
