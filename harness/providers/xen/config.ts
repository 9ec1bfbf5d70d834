// A `provider: xen` hypervisor config (moved here from config/schema.ts unchanged).
import { z } from 'zod';
import { configName } from '../plugin.ts';

export const xenConfig = z
  .object({
    name: configName(),
    provider: z.literal('xen'),
    /** dom0 to reach over SSH; `nested` boots the test host of vm-images/xen-host under QEMU. */
    host: z.union([
      z.literal('nested'),
      z.object({
        address: z.string(),
        port: z.number().int().default(22),
        user: z.string().default('root'),
        privateKey: z.string(),
        hostKey: z.string(),
      }).strict(),
    ]),
    type: z.enum(['pv', 'pvh', 'hvm']).default('pvh'),
    memoryMiB: z.number().int().min(64).default(256),
    cpus: z.number().int().min(1).default(1),
    extraKernelArgs: z.string().default(''),
  })
  .strict();

export type XenConfig = z.infer<typeof xenConfig>;
