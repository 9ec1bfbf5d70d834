// The matrix file: hypervisor configs x guests x suites. Validated with zod so a bad file
// is reported by field, with a fix, before anything boots. Every field is bounded: a value
// that would only fail later (a 10 MB kernel command line, 10 TiB of guest memory, a
// garbled pinned key) is refused here.
import { z } from 'zod';
import { configName, distinct, kernelArgs, word } from '../core/config-fields.ts';
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
    name: configName(),
    /** Image name: `linux-ref`, `openbsd-7.8`, `netbsd-10.1`. Defaults to the guest's name. */
    image: configName().optional(),
    /** Kernel modules the guest must not load (linux-ref only): a guest without a driver. */
    withoutDrivers: distinct(z.string().max(64).regex(/^[a-z0-9_-]+$/, 'a kernel module name such as virtio_rng')).max(64).default([]),
    /** Appended to the guest's kernel command line (direct-boot images only). */
    extraKernelArgs: kernelArgs(),
  })
  .strict();

export const matrixConfig = () => z
  .object({
    hypervisors: z.array(hypervisorConfig()).min(1, 'name at least one hypervisor config').max(64, 'at most 64 hypervisor configs'),
    guests: z.array(guestConfig).min(1, 'name at least one guest').max(64, 'at most 64 guests'),
    suites: distinct(word(64)).min(1, 'name at least one suite, e.g. virtio.4'),
    /** Only these check ids (or `suite/*` patterns). */
    checks: distinct(word(128).regex(/^[a-z0-9][a-z0-9._-]*(\/([a-z0-9][a-z0-9._-]*|\*))?$/, 'a check id (virtio.4/entropy), suite/* or a suite name')).min(1, 'leave "checks" out to run every check, or name at least one').optional(),
  })
  .strict();

/** A hypervisor config as the run sees it; its family's own type (QemuConfig in
 *  providers/qemu/config.ts...) has the rest of its fields. */
export type HypervisorConfig = HypervisorConfigBase;
export type GuestConfig = z.infer<typeof guestConfig>;
export type MatrixConfig = z.infer<ReturnType<typeof matrixConfig>>;
