// First boot of a fresh OpenBSD install, over the serial console as root: check what the
// response file set up, finish what it cannot (an unprivileged test user, the ready marker),
// and read back the SSH host key to pin.
import { shellQuote } from '../../harness/console/shell.ts';
import type { GuestStep } from '../../harness/images/recipes/guest-steps.ts';

export interface OpenbsdConfigInput {
  release: string;
  harnessKey: string;
  testUser: string;
  readyMarker: string;
}

/** The steps, in order; each must exit 0. Pure, so it is tested without a guest. */
export function openbsdSteps(i: OpenbsdConfigInput): GuestStep[] {
  const key = shellQuote(i.harnessKey);
  const user = i.testUser;
  return [
    { what: `the release is ${i.release}`, command: `test "$(uname -sr)" = ${shellQuote(`OpenBSD ${i.release}`)}` },
    { what: 'a C compiler (comp set) for the probe', command: 'cc --version' },
    // MAKEDEV all (run by the installer) makes pvbus0 and pvbus1; make them if not.
    { what: '/dev/pvbus0 and /dev/pvbus1 exist', command: 'ls -l /dev/pvbus0 /dev/pvbus1 || { cd /dev && sh ./MAKEDEV pvbus0 pvbus1 && ls -l /dev/pvbus0 /dev/pvbus1; }' },
    { what: "root's authorized_keys holds the harness key", command: `grep -qxF ${key} /root/.ssh/authorized_keys` },
    { what: `${user} exists with the harness key`, command: `id ${user} && grep -qxF ${key} /home/${user}/.ssh/authorized_keys` },
    // The installer puts the user it sets up into wheel; the test user must be unprivileged
    // (pvbus nodes are root:wheel 0640, so a wheel member could read them).
    { what: `${user} is not in wheel`, command: `sed -i -e '/^wheel:/s/,${user}$//' -e '/^wheel:/s/,${user},/,/' /etc/group && ! id -Gn ${user} | grep -qw wheel` },
    { what: 'sshd is enabled and running', command: 'rcctl check sshd' },
    { what: 'root may log in with a key only', command: 'sshd -T | grep -Eqx "permitrootlogin (prohibit-password|without-password)"' },
    { what: 'the ready marker is printed at boot', command: `grep -qF ${shellQuote(i.readyMarker)} /etc/rc.local 2>/dev/null || echo ${shellQuote(`echo ${i.readyMarker} >/dev/console`)} >>/etc/rc.local` },
    // /etc/rc relinks the kernel in the background at first boot; let it finish before halting.
    {
      what: 'the first-boot kernel relink is done',
      command: 'i=0; while pgrep -f reorder_kernel >/dev/null && [ $i -lt 400 ]; do sleep 3; i=$((i+1)); done; ! pgrep -f reorder_kernel >/dev/null',
      timeoutMs: 25 * 60_000,
    },
  ];
}
