// A message buffer often still holds an earlier boot (OpenBSD and NetBSD keep msgbuf across a
// warm reboot; a saved console log may span several boots). Each boot starts with the kernel's
// banner, so the last banner starts the boot that is running now.
import { bannerOf, type Banner } from './detect-os.ts';
import type { LogLine } from './log-lines.ts';

export interface LastBoot {
  /** The lines of the last boot, from its banner on (all lines when there is no banner). */
  lines: LogLine[];
  banner: Banner | null;
  /** Banners seen; at least 1 (a buffer without a banner is one partial boot). */
  boots: number;
}

export function lastBoot(lines: LogLine[]): LastBoot {
  let start = -1;
  let banner: Banner | null = null;
  let boots = 0;
  for (const [i, l] of lines.entries()) {
    const b = bannerOf(l.text);
    if (!b) continue;
    boots++;
    start = i;
    banner = b;
  }
  if (start < 0) return { lines, banner: null, boots: 1 };
  return { lines: lines.slice(start), banner, boots };
}
