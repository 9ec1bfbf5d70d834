// Which OS wrote these boot messages. Each kernel starts a boot with a banner naming itself and
// its release; without one (a fragment), a few lines only one OS prints settle it.
import type { BootOs } from './types.ts';

export interface Banner {
  os: BootOs;
  release: string;
  text: string;
}

// "OpenBSD 6.7 (GENERIC) #3: Thu Jul  9 ..." (kern/init_main.c prints version[] then the build).
const BSD_BANNER = /^(OpenBSD|NetBSD) (\d+\.\d+[^\s(]*) \(([^)\s]+)\)/;
// "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 ...) #1 SMP ..."
const LINUX_BANNER = /^Linux version (\S+) /;

export function bannerOf(text: string): Banner | null {
  const bsd = BSD_BANNER.exec(text);
  if (bsd) return { os: bsd[1] as BootOs, release: bsd[2], text };
  const linux = LINUX_BANNER.exec(text);
  if (linux) return { os: 'Linux', release: linux[1], text };
  return null;
}

// Lines that only one OS prints, for buffers whose banner has scrolled away.
const HINTS: Array<[BootOs, RegExp]> = [
  ['Linux', /^(Hypervisor detected: |Booting paravirtualized kernel on |Kernel command line: |Command line: )/],
  ['Linux', /^virtio_\w+ virtio\d+: /],
  ['NetBSD', /^mainbus0 \(root\)$/],
  ['NetBSD', /^hypervisor0 at mainbus0: Xen version /],
  ['NetBSD', /^xenbus0 at hypervisor0/],
  ['NetBSD', /^\w+\d+ at virtio\d+: [Ff]eatures: /],
  ['NetBSD', /^virtio\d+: .*[Dd]evice \((id \d+, )?rev\. 0x[0-9a-f]+\)$/],
  ['OpenBSD', /^mainbus0 at root$/],
  ['OpenBSD', /^pvbus0 at mainbus0:/],
  ['OpenBSD', /^\w+\d+ at (pvbus|xen)\d+\b/],
];

export function guessOs(texts: Iterable<string>): BootOs | null {
  for (const text of texts) for (const [os, re] of HINTS) if (re.test(text)) return os;
  return null;
}
