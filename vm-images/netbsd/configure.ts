// First boot of the NetBSD live image, over the serial console as root (no password on a
// fresh image): sshd with the harness key, an unprivileged test user, kernfs mounted on /kern
// (the live image's fstab has it `noauto`), the serial console for later boots, and a check
// that the compiler is there.
import { shellQuote } from '../../harness/console/shell.ts';
import type { GuestStep } from '../../harness/images/recipes/guest-steps.ts';

export interface NetbsdConfigInput {
  release: string;
  harnessKey: string;
  testUser: string;
  readyMarker: string;
}

export function netbsdSteps(i: NetbsdConfigInput): GuestStep[] {
  const key = shellQuote(i.harnessKey);
  const u = i.testUser;
  const installKey = (home: string, owner: string) =>
    `mkdir -p ${home}/.ssh && printf '%s\\n' ${key} >${home}/.ssh/authorized_keys && chmod 700 ${home}/.ssh && chmod 600 ${home}/.ssh/authorized_keys && chown -R ${owner} ${home}/.ssh`;
  return [
    { what: `the release is ${i.release}`, command: `uname -sr | grep -qx ${shellQuote(`NetBSD ${i.release}`)}` },
    { what: 'a C compiler (comp set) for the probe', command: 'cc --version' },
    { what: "root's authorized_keys holds the harness key", command: installKey('/root', 'root:wheel') },
    { what: `${u} exists, outside wheel, with the harness key`, command: `{ id ${u} >/dev/null 2>&1 || useradd -m -s /bin/sh ${u}; } && ${installKey(`/home/${u}`, `${u}:users`)} && ! id -Gn ${u} | grep -qw wheel` },
    { what: 'sshd is enabled and running', command: `{ grep -q '^sshd=YES' /etc/rc.conf || echo sshd=YES >>/etc/rc.conf; } && /etc/rc.d/sshd restart && /etc/rc.d/sshd status` },
    {
      what: 'kernfs is mounted on /kern at every boot',
      command:
        `{ grep -q '^kernfs[[:space:]]' /etc/fstab || echo 'kernfs /kern kernfs rw 0 0' >>/etc/fstab; } && ` +
        `sed -i -e '/^kernfs[[:space:]]/s/rw,noauto/rw/' /etc/fstab && mkdir -p /kern && ` +
        `{ mount | grep -q ' on /kern type kernfs' || mount /kern; } && mount | grep -q ' on /kern type kernfs' && ! grep '^kernfs' /etc/fstab | grep -q noauto`,
    },
    {
      what: 'later boots use the serial console',
      command: `{ grep -v '^consdev=' /boot.cfg 2>/dev/null; true; } >/tmp/boot.cfg.new && { echo consdev=com0; cat /tmp/boot.cfg.new; } >/boot.cfg && rm /tmp/boot.cfg.new`,
    },
    { what: 'the ready marker is printed at boot', command: `grep -qF ${shellQuote(i.readyMarker)} /etc/rc.local 2>/dev/null || echo ${shellQuote(`echo ${i.readyMarker} >/dev/console`)} >>/etc/rc.local` },
  ];
}
