// What the NetBSD boot loader and first boot print on the serial console, and what we answer.
//
// Sources for the wording (facts read, nothing copied):
//   [boot2]     NetBSD src sys/arch/i386/stand/boot/boot2.c: "Press return to boot now, any
//               other key for boot menu", then `type "?" or "help" for help.` and the "> "
//               prompt; a boot.cfg menu instead lists numbered choices.
//   [qemu-vm]   qemu/qemu tests/vm/netbsd: "3. Drop to boot prompt" -> 3; at "> ", "consdev com0"
//               then "boot"; the login prompt on com0.
//   [emuimage]  NetBSD src distrib/amd64/liveimage/emuimage: the live image grows its root file
//               system to the disk at first boot and reboots (resize_root, reboot -n).
import type { DoneRule, FailureRule, PromptRule } from '../../harness/images/recipes/prompt-driver.ts';

export const NETBSD_BOOT: { prompts: PromptRule[]; failures: FailureRule[]; done: DoneRule[] } = {
  prompts: [
    {
      id: 'boot-menu',
      // A boot.cfg menu: pick its "Drop to boot prompt" entry, whatever its number.
      prompt: /(?:^|\n) *(\d+)\. Drop to boot prompt\b/,
      answer: (m) => m[1],
      newline: false,
      max: 4,
      source: '[qemu-vm] [boot2]',
    },
    {
      id: 'boot-countdown',
      // No menu: any key but return stops the countdown and gives the "> " prompt.
      prompt: /Press return to boot now, any other key for boot menu/,
      answer: ' ',
      newline: false,
      max: 4,
      source: '[boot2]',
    },
    {
      id: 'boot-prompt',
      // First: put the kernel's console on the serial port; then boot. Again after the reboot
      // that grows the root file system (until boot.cfg says consdev=com0).
      prompt: /(?:^|\n)> $/,
      answer: (_m, n) => (n % 2 === 1 ? 'consdev com0' : 'boot'),
      max: 8,
      source: '[qemu-vm] [boot2] consdev',
    },
  ],
  failures: [
    { id: 'panic', pattern: /(?:^|\n)panic: [^\n]*\n/, meaning: 'the kernel panicked', source: 'NetBSD panic(9)' },
    { id: 'ddb', pattern: /(?:^|\n)db\{\d+\}> $/, meaning: 'the kernel stopped in its debugger', source: 'NetBSD ddb(4) prompt' },
    { id: 'single-user', pattern: /Enter pathname of shell or RETURN for \/bin\/sh: ?$/, meaning: 'the system came up single-user (a file system check or mount failed?)', source: 'NetBSD init(8)' },
    { id: 'no-root', pattern: /root device\?? ?\(default [^)]*\): ?$|(?:^|\n)root device: $/, meaning: 'the kernel could not find its root file system', source: 'NetBSD kernel setroot()' },
  ],
  done: [{ id: 'login', pattern: /(?:^|\n)[^\n]*login: $/, source: 'getty(8) login prompt' }],
};
