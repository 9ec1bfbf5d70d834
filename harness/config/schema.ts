// The matrix file: hypervisor configs x guests x suites. Validated with zod so a bad file
// is reported by field, with a fix, before anything boots.
import { z } from 'zod';
import { VIRTIO_CLASSES } from '../core/offers.ts';

const virtioClass = z.enum(VIRTIO_CLASSES as unknown as [string, ...string[]]);

/** `hyperv: {}` in a QEMU config; see qemuConfig.hyperv. */
const hypervEnlightenments = z
  .object({
    /** CPUID vendor signature (at most 12 characters). Guests detect Hyper-V by
     *  "Microsoft Hv", QEMU's default: another value hides the Hyper-V interface. */
    vendorId: z.string().min(1).max(12).optional(),
    /** Add QEMU's VMBus bridge (`-device vmbus-bridge`), which hyperv(4) needs to attach. */
    vmbus: z.boolean().default(true),
  })
  .strict();

const qemuConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
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
    /** Hyper-V enlightenments (QEMU's hv-* CPU flags and its VMBus bridge): the guest then sees
     *  two interfaces, KVM and Hyper-V. The flags need KVM. */
    hyperv: hypervEnlightenments.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.hyperv && c.accel === 'tcg')
      ctx.addIssue({ code: 'custom', path: ['hyperv'], message: 'Hyper-V enlightenments need KVM (QEMU has the hv-* CPU flags only under KVM), and accel is tcg', params: { fix: 'set accel to auto or kvm, or remove hyperv' } });
  });

const xenConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
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
    /** Data disks (blank, raw, 64 MiB each) given to the domU as xvdb, xvdc, ...: the blkfront /
     *  xbf attach path. The domU always has one vif (the harness reaches it through it). */
    disks: z.number().int().min(0).max(4).default(0),
    memoryMiB: z.number().int().min(64).default(256),
    cpus: z.number().int().min(1).default(1),
    extraKernelArgs: z.string().default(''),
  })
  .strict();

const hypervConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"'),
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

export const hypervisorConfig = z.discriminatedUnion('provider', [qemuConfig, xenConfig, hypervConfig]);

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

export const matrixConfig = z
  .object({
    hypervisors: z.array(hypervisorConfig).min(1, 'name at least one hypervisor config'),
    guests: z.array(guestConfig).min(1, 'name at least one guest'),
    suites: z.array(z.string()).min(1, 'name at least one suite, e.g. virtio.4'),
    /** Only these check ids (or `suite/*` patterns). */
    checks: z.array(z.string()).optional(),
  })
  .strict();

export type HypervisorConfig = z.infer<typeof hypervisorConfig>;
export type QemuConfig = z.infer<typeof qemuConfig>;
export type HypervEnlightenments = z.infer<typeof hypervEnlightenments>;
export type XenConfig = z.infer<typeof xenConfig>;
export type HypervConfig = z.infer<typeof hypervConfig>;
export type GuestConfig = z.infer<typeof guestConfig>;
export type MatrixConfig = z.infer<typeof matrixConfig>;
