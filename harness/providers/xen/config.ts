// A `provider: xen` hypervisor config.
import { z } from 'zod';
import { configName, cpus, kernelArgs, memoryMiB, snapshots, word } from '../../core/config-fields.ts';
import { sshHostFields } from '../ssh-host-fields.ts';

export const xenConfig = z
  .object({
    name: configName(),
    provider: z.literal('xen'),
    /** dom0 to reach over SSH; `nested` boots the test host of vm-images/xen-host under QEMU. */
    host: z.union([z.literal('nested'), z.object({ ...sshHostFields(), user: word(64).default('root') }).strict()]),
    type: z.enum(['pv', 'pvh', 'hvm']).default('pvh'),
    /** Data disks (blank, raw, 64 MiB each) given to the domU as xvdb, xvdc, ...: the blkfront /
     *  xbf attach path. The domU always has one vif (the harness reaches it through it). */
    disks: z.number().int().min(0).max(4).default(0),
    memoryMiB: memoryMiB(64, 256),
    cpus: cpus(),
    extraKernelArgs: kernelArgs(),
    /** Fresh guest per suite (xl save -c at readiness, xl restore per suite; not with disks) or
     *  one per cell. */
    snapshots: snapshots(),
  })
  .strict();

export type XenConfig = z.infer<typeof xenConfig>;
