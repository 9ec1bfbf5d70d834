// A `provider: qemu` hypervisor config.
import { z } from 'zod';
import { VIRTIO_CLASSES } from '../../core/offers.ts';
import { configName, cpus, distinct, kernelArgs, memoryMiB, snapshots, word } from '../../core/config-fields.ts';

const virtioClass = z.enum(VIRTIO_CLASSES as unknown as [string, ...string[]]);
/** Machine and CPU names go into QEMU's argv: one option value, no way to smuggle another. */
const qemuWord = (what: string) => word(256).regex(/^[A-Za-z0-9][A-Za-z0-9._,=+-]*$/, what);

/** `hyperv: {}` in a QEMU config; see qemuConfig.hyperv. */
const hypervEnlightenments = z
  .object({
    /** CPUID vendor signature (at most 12 characters). Guests detect Hyper-V by
     *  "Microsoft Hv", QEMU's default: another value hides the Hyper-V interface. */
    vendorId: word(12).optional(),
    /** Add QEMU's VMBus bridge (`-device vmbus-bridge`), which hyperv(4) needs to attach. */
    vmbus: z.boolean().default(true),
  })
  .strict();

export const qemuConfig = z
  .object({
    name: configName(),
    provider: z.literal('qemu'),
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
    machine: qemuWord('a QEMU machine type such as q35 or pc').default('q35'),
    cpu: qemuWord('a QEMU CPU model such as max or host,+x2apic').optional(),
    memoryMiB: memoryMiB(64, 512),
    cpus: cpus(),
    /** virtio devices offered to the guest; a class left out is withheld. */
    devices: distinct(virtioClass).default([...VIRTIO_CLASSES]),
    /** Appended to the guest's kernel command line (direct-boot images only). */
    extraKernelArgs: kernelArgs(),
    /** Fresh guest per suite (savevm at readiness, loadvm per suite) or one per cell. */
    snapshots: snapshots(),
    /** Hyper-V enlightenments (QEMU's hv-* CPU flags and its VMBus bridge): the guest then sees
     *  two interfaces, KVM and Hyper-V. The flags need KVM. */
    hyperv: hypervEnlightenments.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.hyperv && c.accel === 'tcg')
      ctx.addIssue({ code: 'custom', path: ['hyperv'], message: 'Hyper-V enlightenments need KVM (QEMU has the hv-* CPU flags only under KVM), and accel is tcg. Fix: set accel to auto or kvm, or remove hyperv' });
  });

export type QemuConfig = z.infer<typeof qemuConfig>;
export type HypervEnlightenments = z.infer<typeof hypervEnlightenments>;
