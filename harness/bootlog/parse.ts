// Boot messages in, attach tree out: keep the last boot, tell which OS wrote it, and hand the
// lines to that OS's reader.
import { guessOs } from './detect-os.ts';
import { lastBoot } from './last-boot.ts';
import { parseLinux } from './linux.ts';
import { splitLog } from './log-lines.ts';
import { parseNetbsd } from './netbsd.ts';
import { parseOpenbsd } from './openbsd.ts';
import type { AttachTree } from './types.ts';
import { virtioTransports } from './virtio.ts';

/** The text reads as no known OS's boot messages. */
export class UnrecognisedBootLog extends Error {
  override name = 'UnrecognisedBootLog';
}

export function parseBootLog(text: string): AttachTree {
  const boot = lastBoot(splitLog(text));
  const os = boot.banner?.os ?? guessOs(boot.lines.map((l) => l.text));
  if (!os)
    throw new UnrecognisedBootLog(
      'no OpenBSD, NetBSD or Linux kernel banner ("OpenBSD 7.6 (GENERIC) #...", "Linux version ...") and no line only one of them prints',
    );
  const release = boot.banner?.release ?? null;
  const numbers = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  const part = os === 'Linux' ? parseLinux(boot.lines) : os === 'OpenBSD' ? parseOpenbsd(boot.lines) : parseNetbsd(boot.lines);
  // The documented keys first, so the JSON reads top-down.
  return {
    os,
    release,
    hypervisors: part.hypervisors,
    devices: part.devices,
    releaseNumber: numbers ? { major: Number(numbers[1]), minor: Number(numbers[2]) } : null,
    banner: boot.banner?.text ?? null,
    unconfigured: 'unconfigured' in part ? part.unconfigured : [],
    virtio: virtioTransports(os, part.devices),
    ...('xen' in part && part.xen ? { xen: part.xen } : {}),
    ...('xenbus' in part && part.xenbus ? { xenbus: part.xenbus } : {}),
    ...('paravirtKernelOn' in part && part.paravirtKernelOn ? { paravirtKernelOn: part.paravirtKernelOn } : {}),
    bootsInBuffer: boot.boots,
    firstLine: boot.lines[0]?.line ?? 1,
  };
}
