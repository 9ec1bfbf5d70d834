// What the OpenBSD boot loader, installer and first boot print on the serial console, and what
// we answer. Everything the response file cannot answer happens here: the boot loader, the
// installer's first menu and the response file's location.
//
// Sources for the wording (facts read, nothing copied):
//   [install.sub]  openbsd/src distrib/miniroot/install.sub (rev 1.815): _ask prints
//                  "question [default] ", get_responsefile, install_files, finish_up.
//   [dot.profile]  openbsd/src distrib/miniroot/dot.profile: the first menu.
//   [autoinstall]  openbsd/src share/man/man8/autoinstall.8.
//   [qemu-vm]      qemu/qemu tests/vm/openbsd: "set tty com0" at "boot>" on the serial console.
//   [transcripts]  public console transcripts of OpenBSD 7.2 and 7.7 autoinstalls, e.g.
//                  "Response file location? [http://…/install.conf]", "Performing
//                  non-interactive install...", "failed; check /tmp/ai/ai.log".
import type { DoneRule, FailureRule, PromptRule } from '../../harness/images/recipes/prompt-driver.ts';

const PANIC: FailureRule[] = [
  { id: 'panic', pattern: /(?:^|\n)panic: [^\n]*\n/, meaning: 'the kernel panicked', source: 'OpenBSD kernel panic(9) message' },
  { id: 'ddb', pattern: /(?:^|\n)ddb(?:\{\d+\})?> $/, meaning: 'the kernel stopped in its debugger', source: 'OpenBSD ddb(4) prompt' },
];

/** The miniroot's boot loader, then the installer until it has its response file. */
export function installerPrompts(responseUrl: string): { prompts: PromptRule[]; failures: FailureRule[]; done: DoneRule[] } {
  return {
    prompts: [
      {
        id: 'boot-loader',
        // First: move the console to the serial port; second (now on com0): boot bsd.rd.
        prompt: /(?:^|\n)boot> $/,
        answer: (_m, n) => (n === 1 ? 'set tty com0' : 'boot'),
        max: 2,
        source: '[qemu-vm] set tty com0 at boot>; boot(8)',
      },
      {
        id: 'first-menu',
        prompt: /(?:^|\n)\(I\)nstall, \(U\)pgrade, \(A\)utoinstall or \(S\)hell\? $/,
        answer: 'a',
        source: '[dot.profile] [transcripts]',
      },
      {
        id: 'dhcp-interface',
        // Only asked with more than one NIC; the default is the first one.
        prompt: /(?:^|\n)Which network interface should be used for the initial DHCP request\? \(or 'done'\) \[(\w+)\] $/,
        answer: (m) => m[1],
        source: '[install.sub] get_responsefile, ask_which',
      },
      {
        id: 'response-file',
        prompt: /(?:^|\n)Response file location\? (?:\[[^\]\n]*\] )?$/,
        answer: responseUrl,
        source: '[install.sub] get_responsefile; [transcripts]',
      },
      {
        id: 'install-or-upgrade',
        // Only asked when the file name does not say; ours is install.conf.
        prompt: /(?:^|\n)\(I\)nstall or \(U\)pgrade\? $/,
        answer: 'i',
        source: '[install.sub] get_responsefile',
      },
    ],
    failures: [
      ...PANIC,
      { id: 'no-response-file', pattern: /No response file found; non-interactive mode aborted\./, meaning: 'the installer could not fetch install.conf', source: '[install.sub]' },
      { id: 'unanswered', pattern: /Question has no answer in response file\./, meaning: 'install.conf lacks an answer the installer needs', source: '[install.sub] _autorespond' },
      { id: 'ai-failed', pattern: /failed; check \/\S*ai\.log/, meaning: 'the unattended install failed', source: '[install.sub] [transcripts]' },
      { id: 'checksum', pattern: /Checksum test for \S+ failed\./, meaning: 'a set did not match the signed SHA256 list', source: '[install.sub] install_files' },
      { id: 'signature', pattern: /Signature check of SHA256\.sig failed/, meaning: "SHA256.sig did not verify with the installer's key", source: '[install.sub] install_files' },
      { id: 'no-sets', pattern: /and found no OpenBSD sets\./, meaning: 'the set folder offered no sets', source: '[install.sub] install_files' },
      { id: 'invalid', pattern: /'[^'\n]*' is not a valid choice\./, meaning: 'an answer was refused', source: '[install.sub] ask_which, ask_yn' },
    ],
    done: [
      {
        id: 'installed',
        pattern: /CONGRATULATIONS! Your OpenBSD install has been successfully completed!/,
        source: '[install.sub] finish_up',
      },
    ],
  };
}

/** After CONGRATULATIONS the installer reboots (autoinstall never powers off). With QEMU's
 *  -no-reboot that ends QEMU; if the machine comes back instead, these show it did. */
export const REBOOTED: RegExp[] = [/(?:^|\n)boot> $/, /\(I\)nstall, \(U\)pgrade, \(A\)utoinstall or \(S\)hell\? $/, /(?:^|\n)login: $/];

/** First boot of the installed disk, up to the login prompt. */
export const FIRST_BOOT = {
  prompts: [
    {
      id: 'boot-loader',
      // boot.conf (written by the installer) already says `set tty com0`; boot without waiting.
      prompt: /(?:^|\n)boot> $/,
      answer: 'boot',
      max: 3,
      source: '[install.sub] apply: boot.conf gets "stty com0 <speed>" and "set tty com0"',
    },
  ] as PromptRule[],
  failures: [
    ...PANIC,
    { id: 'single-user', pattern: /Enter pathname of shell or RETURN for sh: $/, meaning: 'the system came up single-user (a file system check failed?)', source: 'OpenBSD init(8)' },
    { id: 'fsck', pattern: /Automatic file system check failed; help!/, meaning: 'the file system check failed', source: 'OpenBSD /etc/rc' },
  ] as FailureRule[],
  done: [{ id: 'login', pattern: /(?:^|\n)[^\n]*login: $/, source: 'getty(8) login prompt' }] as DoneRule[],
};
