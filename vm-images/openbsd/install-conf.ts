// The response file autoinstall(8) reads. It must be served as `install.conf`: the installer
// infers install or upgrade from the file name and otherwise asks. Each line is
// `question = answer`, where question is the installer's question or an unambiguous run of
// whole words from it (autoinstall(8)); questions not listed get the installer's default.
import { UsageError } from '../../harness/core/errors.ts';

export interface InstallConfOptions {
  hostname: string;
  /** Plain text; autoinstall(8) also takes an encrypt(1) hash. */
  rootPassword: string;
  /** Harness public key, one line. */
  rootKey: string;
  testUser: string;
  testUserKey: string;
  /** `10.0.2.2:PORT`: the host as the guest sees it on QEMU's user network. */
  setsServer: string;
  /** Folder of the sets on that server, e.g. `pub/OpenBSD/7.8/amd64`. */
  setsDir: string;
  /** The disk to install on (virtio-blk is sd0). */
  rootDisk: string;
}

/** One answer: [question words, answer, why]. */
type Answer = [string, string];

export function installConfAnswers(o: InstallConfOptions): Answer[] {
  for (const [field, v] of Object.entries(o))
    if (/[\n\r]/.test(String(v))) throw new UsageError(`install.conf: ${field} contains a line break. Fix: one line per answer`);
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(o.testUser))
    throw new UsageError(`install.conf: test user "${o.testUser}" is not a lower-case login name the installer accepts`);
  return [
    ['System hostname', o.hostname],
    ['Password for root account', o.rootPassword],
    ['Public ssh key for root account', o.rootKey],
    ['Start sshd(8) by default', 'yes'],
    ['Do you expect to run the X Window System', 'no'],
    ['Change the default console to com0', 'yes'],
    ['Which speed should com0 use', '115200'],
    ['Setup a user', o.testUser],
    ['Full name for user', o.testUser],
    // 13 stars: no password at all, key only (autoinstall(8)).
    ['Password for user', '*************'],
    ['Public ssh key for user', o.testUserKey],
    ['Allow root ssh login', 'prohibit-password'],
    ['What timezone are you in', 'UTC'],
    ['Which disk is the root disk', o.rootDisk],
    ['Use (W)hole disk MBR, whole disk (G)PT', 'whole'],
    ['Use (A)uto layout, (E)dit auto layout, or create (C)ustom layout', 'a'],
    ['Location of sets', 'http'],
    ['HTTP proxy URL', 'none'],
    ['HTTP Server', o.setsServer],
    ['Server directory', o.setsDir],
    ['Unable to connect using https. Use http instead', 'yes'],
    // Only the sets we serve are offered; take them all.
    ['Set name(s)', 'done'],
    ['Continue anyway', 'no'],
    ['Continue without verification', 'no'],
    ['Exit to (S)hell, (H)alt or (R)eboot', 'reboot'],
  ];
}

export function installConf(o: InstallConfOptions): string {
  return installConfAnswers(o).map(([q, a]) => `${q} = ${a}`).join('\n') + '\n';
}
