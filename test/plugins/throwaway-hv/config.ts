// TEST ONLY: the config of the throwaway family: a name and one field of its own.
import { z } from 'zod';
import { configName } from '../../../harness/providers/plugin.ts';

export const throwawayConfig = z
  .object({
    name: configName(),
    provider: z.literal('throwaway-hv'),
    flavour: z.enum(['plain', 'fancy']).default('plain'),
  })
  .strict();

export type ThrowawayConfig = z.infer<typeof throwawayConfig>;
