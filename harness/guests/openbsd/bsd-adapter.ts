// The part of a guest adapter OpenBSD and NetBSD share: both print an autoconf attach tree at
// boot, keep it in /var/run/dmesg.boot, have useradd and su, and build the probe with cc. What
// differs (how to become root, the su syntax, driver names) comes in as a BsdSpecifics.
import type { Shell, ExecOptions, ExecResult } from '../../core/shell.ts';
import type { VirtioDevice } from '../../core/guest-adapter.ts';
import { VIRTIO_DEVICE_IDS } from '../../core/guest-adapter.ts';
import type { VirtioClass } from '../../core/offers.ts';
import { InfraError } from '../../core/errors.ts';
import { parseBootLog, UnrecognisedBootLog, findDevice } from '../../bootlog/index.ts';
import type { AttachTree, BootOs } from '../../bootlog/index.ts';
import type { ProbeGuest, UserRole } from '../../../suites/probe/guest-ops.ts';
import { buildProbe, type BuiltProbe } from '../../../suites/probe/build.ts';
import { shq } from '../../../suites/probe/shell-quote.ts';

/** How a command reaches root when the SSH user is not root. */
export type Elevation = 'direct' | 'doas' | 'sudo' | 'su';

export interface BsdSpecifics {
  os: 'openbsd' | 'netbsd';
  bootOs: BootOs;
  drivers: Record<VirtioClass, string>;
  /** Ways to become root, tried in order after checking whether the SSH user already is root. */
  elevations: Exclude<Elevation, 'direct'>[];
  /** The su command line that runs `command` with /bin/sh as `user`, from root. */
  suAs(user: string, command: string): string;
}

/** The local users the permission checks use (guest-facts.md §3: pvbus nodes are root:wheel 0640). */
export const USER_NAMES: Record<UserRole, string> = { outsider: 'pvcuser', wheel: 'pvcwheel' };

interface ShellState {
  elevation?: Promise<Elevation>;
  users: Map<UserRole, Promise<string>>;
  probe?: Promise<BuiltProbe>;
}

export function wrapForRoot(elevation: Elevation, command: string): string {
  switch (elevation) {
    case 'direct':
      return command;
    case 'doas':
      return `doas -n sh -c ${shq(command)}`;
    case 'sudo':
      return `sudo -n sh -c ${shq(command)}`;
    case 'su':
      return `su root -c ${shq(command)} </dev/null`;
  }
}

/** The useradd line for a role: the outsider gets only its own login group, the wheel user wheel. */
export function userAddCommand(role: UserRole): string {
  const name = USER_NAMES[role];
  const groups = role === 'wheel' ? ' -G wheel' : '';
  return `id ${name} >/dev/null 2>&1 || useradd -m -s /bin/sh${groups} ${name}; id -Gn ${name}`;
}

/** Checks the groups `id -Gn` printed for a role's user; null when right, else why not. */
export function wrongGroups(role: UserRole, idGn: string): string | null {
  const groups = idGn.trim().split(/\s+/).filter(Boolean);
  if (groups.length === 0) return `no groups listed for ${USER_NAMES[role]}`;
  const inWheel = groups.includes('wheel');
  if (role === 'outsider' && inWheel) return `${USER_NAMES.outsider} is in wheel (${groups.join(' ')}); it must not be`;
  if (role === 'wheel' && !inWheel) return `${USER_NAMES.wheel} is not in wheel (${groups.join(' ')})`;
  return null;
}

/** The virtio transports the attach tree shows, as the adapter contract names them. */
export function virtioDevicesFromTree(tree: AttachTree): VirtioDevice[] {
  return tree.virtio.map((t) => {
    const cls = t.class ?? 'other';
    const idFromClass = Object.entries(VIRTIO_DEVICE_IDS).find(([, c]) => c === cls)?.[0];
    const dev = findDevice(tree, t.name);
    const where = dev ? `${dev.name} at ${dev.parent ?? '?'}${dev.locator ? ` ${dev.locator}` : ''}${dev.product ? ` "${dev.product}"` : ''}` : t.name;
    return {
      class: cls,
      deviceId: t.deviceId ?? (idFromClass !== undefined ? Number(idFromClass) : 0),
      name: t.name,
      driver: t.driver,
      detail: t.child ? `${where}; ${t.child} at ${t.name}` : `${where}; no driver attached`,
    };
  });
}

export function createBsdAdapter(spec: BsdSpecifics): ProbeGuest {
  const states = new WeakMap<Shell, ShellState>();
  const state = (sh: Shell): ShellState => {
    let s = states.get(sh);
    if (!s) states.set(sh, (s = { users: new Map() }));
    return s;
  };

  async function findElevation(sh: Shell): Promise<Elevation> {
    const id = await sh.exec('id -u');
    if (id.code === 0 && id.stdout.trim() === '0') return 'direct';
    const tried: string[] = [];
    for (const e of spec.elevations) {
      const r = await sh.exec(wrapForRoot(e, 'id -u'));
      if (r.code === 0 && r.stdout.trim() === '0') return e;
      tried.push(`${e}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    }
    throw new InfraError(`cannot become root in the ${spec.os} guest (SSH user uid ${id.stdout.trim()}; ${tried.join('; ')})`);
  }

  async function asRoot(sh: Shell, command: string, options?: ExecOptions): Promise<ExecResult> {
    const s = state(sh);
    s.elevation ??= findElevation(sh);
    return sh.exec(wrapForRoot(await s.elevation, command), options);
  }

  async function createUser(sh: Shell, role: UserRole): Promise<string> {
    const r = await asRoot(sh, userAddCommand(role));
    if (r.code !== 0) throw new InfraError(`creating user ${USER_NAMES[role]} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    const wrong = wrongGroups(role, r.stdout);
    if (wrong) throw new InfraError(`the ${role} user is not usable: ${wrong}`);
    return USER_NAMES[role];
  }

  async function bootMessages(sh: Shell): Promise<string> {
    // dmesg.boot is what rc saved at boot; dmesg is the fallback when it is missing.
    const r = await asRoot(sh, 'cat /var/run/dmesg.boot 2>/dev/null || dmesg');
    if (r.code !== 0 || !r.stdout.trim()) throw new InfraError(`reading the boot messages failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  return {
    os: spec.os,
    async virtioDevices(sh) {
      const text = await bootMessages(sh);
      let tree: AttachTree;
      try {
        tree = parseBootLog(text);
      } catch (e) {
        if (e instanceof UnrecognisedBootLog) throw new InfraError(`the ${spec.os} guest's boot messages did not parse: ${e.message}`);
        throw e;
      }
      if (tree.os !== spec.bootOs) throw new InfraError(`the boot messages read as ${tree.os}'s, not ${spec.bootOs}'s`);
      return virtioDevicesFromTree(tree);
    },
    bootMessages,
    driverFor(cls) {
      return spec.drivers[cls];
    },
    asRoot,
    async asUser(sh, user, command, options) {
      return asRoot(sh, spec.suAs(user, command), options);
    },
    async ensureUser(sh, role) {
      const s = state(sh);
      let p = s.users.get(role);
      if (!p) {
        p = createUser(sh, role);
        s.users.set(role, p);
        p.catch(() => s.users.delete(role));
      }
      return p;
    },
    async kernelMessages(sh) {
      const r = await asRoot(sh, 'dmesg');
      if (r.code !== 0) throw new InfraError(`dmesg failed (exit ${r.code}): ${r.stderr.trim()}`);
      return r.stdout;
    },
    async probe(sh) {
      const s = state(sh);
      if (!s.probe) {
        const p = buildProbe(sh);
        s.probe = p;
        p.catch(() => {
          if (s.probe === p) s.probe = undefined;
        });
      }
      return s.probe;
    },
  };
}
