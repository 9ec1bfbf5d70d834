// The matrix file: hypervisor configs x guests x suites. Validated with zod so a bad file
// is reported by field, with a fix, before anything boots.
import { z } from 'zod';
import { providerPlugins } from '../providers/registry.ts';
import type { HypervisorConfigBase } from '../providers/plugin.ts';
import '../providers/index.ts';

/** Any registered family's config, told apart by `provider` (built when first parsed, so every
 *  family registered by then, a test's throwaway one included, is known). */
export function hypervisorConfig() {
  const schemas = providerPlugins().map((p) => p.configSchema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  return z.discriminatedUnion('provider', schemas) as unknown as z.ZodType<HypervisorConfig>;
}

export const guestConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
    /** Image name: `linux-ref`, `openbsd-7.8`, `netbsd-10.1`. Defaults to the guest's name. */
    image: z.string().optional(),
    /** Kernel modules the guest must not load (linux-ref only): a guest without a driver. */
    withoutDrivers: z.array(z.string()).default([]),
    /** Appended to the guest's kernel command line (direct-boot images only). */
    extraKernelArgs: z.string().default(''),
  })
  .strict();

export const matrixConfig = () => z
  .object({
    hypervisors: z.array(hypervisorConfig()).min(1, 'name at least one hypervisor config'),
    guests: z.array(guestConfig).min(1, 'name at least one guest'),
    suites: z.array(z.string()).min(1, 'name at least one suite, e.g. virtio.4'),
    /** Only these check ids (or `suite/*` patterns). */
    checks: z.array(z.string()).optional(),
  })
  .strict();

/** A hypervisor config as the run sees it; its family's own type (QemuConfig in
 *  providers/qemu/config.ts...) has the rest of its fields. */
export type HypervisorConfig = HypervisorConfigBase;
export type GuestConfig = z.infer<typeof guestConfig>;
export type MatrixConfig = z.infer<ReturnType<typeof matrixConfig>>;
