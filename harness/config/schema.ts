// The matrix file: hypervisor configs x guests x suites. Validated with zod so a bad file
// is reported by field, with a fix, before anything boots. Every field is bounded: a value
// that would only fail later (a 10 MB kernel command line, 10 TiB of guest memory, a
// garbled pinned key) is refused here.
import { z } from 'zod';
import { VIRTIO_CLASSES } from '../core/offers.ts';
import { hostKeyProblem } from '../transport/host-key.ts';

const virtioClass = z.enum(VIRTIO_CLASSES as unknown as [string, ...string[]]);

/** Names become folder names, QEMU ids and VM names: one safe, short word (no "/", no ".."). */
const name = z
  .string()
  .max(63, 'at most 63 characters')
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit (no "/")');

/** A list whose items must differ: `suites: [virtio.4, virtio.4]` would run each check twice. */
function distinct<T extends z.ZodType>(item: T) {
  return z.array(item).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((v, i) => {
      const k = JSON.stringify(v);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: `${k} is listed twice. Fix: list each item once` });
      seen.add(k);
    });
  });
}

/** Linux on x86 keeps at most 2048 bytes of command line (COMMAND_LINE_SIZE); the image's own
 *  arguments need some of it. No control characters: they would end the line early. */
const kernelArgs = z
  .string()
  .max(1024, 'at most 1024 characters (Linux keeps 2048 bytes of command line on x86, and the image needs some)')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters (newline, tab, NUL) in a kernel command line')
  .default('');

const memoryMiB = (min: number, dflt: number) => z.number().int().min(min).max(16384, 'at most 16384 (16 GiB)').default(dflt);
const cpus = z.number().int().min(1).max(64).default(1);
const port = z.number().int().min(1).max(65535).default(22);
/** One line of text a host tool is given: bounded, no control characters. */
const word = (max: number) => z.string().min(1, 'must not be empty').max(max, `at most ${max} characters`).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');
const hostKey = z.string().superRefine((line, ctx) => {
  const problem = hostKeyProblem(line);
  if (problem) ctx.addIssue({ code: 'custom', message: `not a usable pinned host key: ${problem}. Fix: paste the host's whole public key line, e.g. "ssh-ed25519 AAAAC3Nza..."` });
});
const sshHost = {
  address: word(253).regex(/^[A-Za-z0-9.:[\]_-]+$/, 'a host name or IP address'),
  port,
  privateKey: word(4096),
  hostKey,
};

const qemuConfig = z
  .object({
    name,
    provider: z.literal('qemu'),
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
    machine: word(128).regex(/^[A-Za-z0-9][A-Za-z0-9._,=+-]*$/, 'a QEMU machine type such as q35 or pc').default('q35'),
    cpu: word(256).regex(/^[A-Za-z0-9][A-Za-z0-9._,=+-]*$/, 'a QEMU CPU model such as max or host,+x2apic').optional(),
    memoryMiB: memoryMiB(64, 512),
    cpus,
    /** virtio devices offered to the guest; a class left out is withheld. */
    devices: distinct(virtioClass).default([...VIRTIO_CLASSES]),
    /** Appended to the guest's kernel command line (direct-boot images only). */
    extraKernelArgs: kernelArgs,
    /** per-suite (when absent): every suite gets a fresh guest restored from a snapshot taken
     *  at boot; per-cell: all suites of a cell share one guest. */
    snapshots: z.enum(['per-suite', 'per-cell']).optional(),
  })
  .strict();

const xenConfig = z
  .object({
    name,
    provider: z.literal('xen'),
    /** dom0 to reach over SSH; `nested` boots the test host of vm-images/xen-host under QEMU. */
    host: z.union([
      z.literal('nested'),
      z.object({ ...sshHost, user: word(64).default('root') }).strict(),
    ]),
    type: z.enum(['pv', 'pvh', 'hvm']).default('pvh'),
    memoryMiB: memoryMiB(64, 256),
    cpus,
    extraKernelArgs: kernelArgs,
  })
  .strict();

const hypervConfig = z
  .object({
    name,
    provider: z.literal('hyperv'),
    host: z.object({ ...sshHost, user: word(64) }).strict(),
    generation: z.number().int().min(1).max(2).default(1),
    switchName: word(256).default('Default Switch'),
    memoryMiB: memoryMiB(64, 1024),
    cpus,
    /** Where base VHDX images live on the Windows host. */
    imageDir: word(1024).default('C:\\pvconform\\images'),
  })
  .strict();

export const hypervisorConfig = z.discriminatedUnion('provider', [qemuConfig, xenConfig, hypervConfig]);

export const guestConfig = z
  .object({
    name,
    /** Image name: `linux-ref`, `openbsd-7.8`, `netbsd-10.1`. Defaults to the guest's name. */
    image: name.optional(),
    /** Kernel modules the guest must not load (linux-ref only): a guest without a driver. */
    withoutDrivers: distinct(z.string().max(64).regex(/^[a-z0-9_-]+$/, 'a kernel module name such as virtio_rng')).max(64).default([]),
    /** Appended to the guest's kernel command line (direct-boot images only). */
    extraKernelArgs: kernelArgs,
  })
  .strict();

export const matrixConfig = z
  .object({
    hypervisors: z.array(hypervisorConfig).min(1, 'name at least one hypervisor config').max(64, 'at most 64 hypervisor configs'),
    guests: z.array(guestConfig).min(1, 'name at least one guest').max(64, 'at most 64 guests'),
    suites: distinct(word(64)).min(1, 'name at least one suite, e.g. virtio.4'),
    /** Only these check ids (or `suite/*` patterns). */
    checks: distinct(word(128).regex(/^[a-z0-9][a-z0-9._-]*(\/([a-z0-9][a-z0-9._-]*|\*))?$/, 'a check id (virtio.4/entropy), suite/* or a suite name')).min(1, 'leave "checks" out to run every check, or name at least one').optional(),
  })
  .strict();

export type HypervisorConfig = z.infer<typeof hypervisorConfig>;
export type QemuConfig = z.infer<typeof qemuConfig>;
export type XenConfig = z.infer<typeof xenConfig>;
export type HypervConfig = z.infer<typeof hypervConfig>;
export type GuestConfig = z.infer<typeof guestConfig>;
export type MatrixConfig = z.infer<typeof matrixConfig>;
