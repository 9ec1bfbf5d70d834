// Bounded field types shared by the matrix file and each provider's own config schema. Every
// field is bounded: a value that would only fail later (a 10 MB kernel command line, 10 TiB of
// guest memory) is refused when the file is read.
import { z } from 'zod';

/** Names become folder names, QEMU ids and VM names: one safe, short word (no "/", no ".."). */
export const configName = () =>
  z
    .string()
    .max(63, 'at most 63 characters')
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit (no "/")');

/** A list whose items must differ: `suites: [virtio.4, virtio.4]` would run each check twice. */
export function distinct<T extends z.ZodType>(item: T) {
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
export const kernelArgs = () =>
  z
    .string()
    .max(1024, 'at most 1024 characters (Linux keeps 2048 bytes of command line on x86, and the image needs some)')
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters (newline, tab, NUL) in a kernel command line')
    .default('');

export const memoryMiB = (min: number, dflt: number) => z.number().int().min(min).max(16384, 'at most 16384 (16 GiB)').default(dflt);
export const cpus = () => z.number().int().min(1).max(64).default(1);
export const port = () => z.number().int().min(1).max(65535).default(22);
/** One line of text a host tool is given: bounded, no control characters. */
export const word = (max: number) =>
  z.string().min(1, 'must not be empty').max(max, `at most ${max} characters`).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');

/** per-suite (when absent): every suite gets a fresh guest restored from the state saved at
 *  boot, where the provider can save one; per-cell: all suites of a cell share one guest. */
export const snapshots = () => z.enum(['per-suite', 'per-cell']).optional();
