// Builds small boot logs for the format tests: a banner for the OS, then the lines under test.
// Each test says which guest-facts.md fact its lines come from.
export function openbsdBoot(release: string, ...lines: string[]): string {
  return [
    'Copyright (c) 1995-2025 OpenBSD. All rights reserved.  https://www.OpenBSD.org',
    '',
    `OpenBSD ${release} (GENERIC.MP) #1: Mon Jan  6 00:00:00 MST 2025`,
    '    builder@example.org:/usr/src/sys/arch/amd64/compile/GENERIC.MP',
    'mainbus0 at root',
    ...lines,
  ].join('\n');
}

export function netbsdBoot(release: string, ...lines: string[]): string {
  return [
    'Copyright (c) 1996, 1997, 1998, 1999, 2000, 2001, 2002, 2003, 2004, 2005,',
    '    2024 The NetBSD Foundation, Inc.  All rights reserved.',
    '',
    `NetBSD ${release} (GENERIC) #0: Thu Mar 28 08:33:33 UTC 2024`,
    'mainbus0 (root)',
    ...lines,
  ].join('\n');
}

export function linuxBoot(release: string, ...lines: string[]): string {
  return [
    `[    0.000000] Linux version ${release} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian`,
    ...lines.map((l, i) => `[    0.${String(i + 1).padStart(6, '0')}] ${l}`),
  ].join('\n');
}
