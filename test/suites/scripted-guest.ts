// TEST DOUBLE: a guest adapter that answers from a script instead of an OpenBSD/NetBSD machine,
// which cannot boot here (no image, no KVM/Xen/Hyper-V host). It lets the tests run each check's
// run() end to end: which commands it builds, which device it picks, how output reaches the
// verdict. Answers come from guest-facts.md through probe-reports.ts and the small stores below.
// Any command the script does not know fails the test rather than passing silently.
import type { CheckContext } from '../../harness/core/checks.ts';
import type { HostKv, Offers } from '../../harness/core/offers.ts';
import type { ExecResult, Shell } from '../../harness/core/shell.ts';
import type { ProbeGuest, UserRole } from '../../suites/probe/guest-ops.ts';
import { STRERROR } from '../../suites/probe/pvbus-facts.ts';

export type Who = 'root' | 'pvcuser' | 'pvcwheel';
export type Answer = Partial<ExecResult> | ((command: string, who: Who) => Partial<ExecResult> | null);

export interface Script {
  os: 'openbsd' | 'netbsd';
  boot: string;
  kernel?: () => string;
  /** Matched in order: the first whose pattern fits answers. */
  commands: Array<[RegExp, Answer]>;
}

const PROBE = '/tmp/pvconform-probe-test/pvprobe';

export function scriptedGuest(script: Script): { guest: ProbeGuest; log: Array<{ who: Who; command: string }> } {
  const log: Array<{ who: Who; command: string }> = [];
  const answer = (command: string, who: Who): ExecResult => {
    log.push({ who, command });
    for (const [pattern, a] of script.commands) {
      if (!pattern.test(command)) continue;
      const r = typeof a === 'function' ? a(command, who) : a;
      if (r === null) continue;
      return { code: 0, stdout: '', stderr: '', durationMs: 1, ...r };
    }
    throw new Error(`scripted guest: no answer for ${who}: ${command}`);
  };
  const users: Record<UserRole, Who> = { outsider: 'pvcuser', wheel: 'pvcwheel' };
  const guest: ProbeGuest = {
    os: script.os,
    async virtioDevices() {
      return [];
    },
    async bootMessages() {
      return script.boot;
    },
    driverFor: () => 'none',
    async asRoot(_sh, command) {
      return answer(command, 'root');
    },
    async asUser(_sh, user, command) {
      return answer(command, user as Who);
    },
    async ensureUser(_sh, role) {
      return users[role];
    },
    async kernelMessages() {
      return script.kernel ? script.kernel() : script.boot;
    },
    async probe() {
      return { path: PROBE, compilerOutput: '' };
    },
  };
  return { guest, log };
}

/** A Shell nothing may use directly: checks reach the guest through the adapter only. */
export const untouchableShell: Shell = {
  exec: async (c) => {
    throw new Error(`direct exec bypassed the adapter: ${c}`);
  },
  upload: async () => {
    throw new Error('direct upload bypassed the adapter');
  },
  close: async () => {},
};

export function context(guest: ProbeGuest, offers: Offers, hostKv?: HostKv): CheckContext & { artifacts: string[] } {
  const artifacts: string[] = [];
  return {
    cell: 'test@scripted',
    sh: { ...untouchableShell },
    guest,
    offers,
    hostKv,
    artifacts,
    async saveArtifact(kind, name) {
      artifacts.push(`${kind}/${name}`);
      return `${kind}/${name}`;
    },
  };
}

/** Splits a shell command line built by shCommand back into words. */
export function words(command: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (const m of command.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return out;
}

/** hostctl as guest-facts.md §2 describes it, over a store that follows the backend's rules. */
export function fakeHostctl(types: string[], store: KvBackend, fs = new Map<string, string>()): (command: string, who: Who) => Partial<ExecResult> {
  return (command, who) => {
    const argv = words(command).slice(1);
    let device = '/dev/pvbus0';
    let quiet = false;
    let type = false;
    let input: string | null = null;
    let output: string | null = null;
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '-f') device = argv[++i];
      else if (a === '-i') input = argv[++i];
      else if (a === '-o') output = argv[++i];
      else if (a === '-q') quiet = true;
      else if (a === '-t') type = true;
      else if (a.startsWith('-')) return { code: 1, stderr: `hostctl: unknown option -- ${a.slice(1)}\nusage: hostctl [-qt] [-f device] [-i input] [-o output] key [value]\n` };
      else rest.push(a);
    }
    const minor = Number(/^\/dev\/pvbus(\d+)$/.exec(device)?.[1] ?? NaN);
    const err = (prefix: string, errno: string) => ({ code: 1, stderr: `hostctl: ${prefix}: ${STRERROR[errno]}\n` });
    if (Number.isNaN(minor)) return err(`open: ${device}`, 'ENOENT');
    if (who === 'pvcuser') return err(`open: ${device}`, 'EACCES');
    if (minor >= types.length) return err(`open: ${device}`, types.length ? 'ENXIO' : 'ENODEV');
    if (type) return { stdout: `${device}: ${types[minor]}\n` };
    if (rest.length < 1 || rest.length > 2 || (input && rest.length === 2)) return { code: 1, stderr: 'usage: hostctl [-qt] [-f device] [-i input] [-o output] key [value]\n' };
    if (rest[0].length >= 4096) return { code: 1, stderr: 'hostctl: key too long\n' };
    let value: string | null = rest[1] ?? null;
    if (input) {
      const text = fs.get(input);
      if (!text) return { code: 1, stderr: 'hostctl: input file\n' };
      value = text.split('\n')[0]; // kvsetstr cuts at the first newline (§2.3)
    }
    if (value !== null && who === 'pvcwheel') return err(`open: ${device}`, 'EACCES');
    const r = value !== null ? store.write(types[minor], rest[0], value) : store.read(types[minor], rest[0]);
    if ('errno' in r) return err('ioctl', r.errno);
    const printed = !quiet && r.value ? `${r.value}\n` : '';
    if (output) {
      fs.set(output, printed);
      return {};
    }
    return { stdout: printed };
  };
}

export interface KvBackend {
  read(type: string, key: string): { value: string } | { errno: string };
  write(type: string, key: string, value: string): { value: string } | { errno: string };
}

/** XenStore as xs_kvop shows it (§5.1): directories list their children, writes return "". */
export function xenStore(initial: Record<string, string>): KvBackend & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    read(type, key) {
      if (type !== 'Xen') return { errno: 'ENXIO' };
      if (data.has(key)) return { value: data.get(key)! };
      const children = [...new Set([...data.keys()].filter((k) => k.startsWith(`${key}/`)).map((k) => k.slice(key.length + 1).split('/')[0]))];
      return children.length ? { value: children.join('\n') } : { errno: 'ENOENT' };
    },
    write(type, key, value) {
      if (type !== 'Xen') return { errno: 'ENXIO' };
      if (key.length + 1 + value.length > 1024) return { errno: 'EIO' };
      data.set(key, value);
      return { value: '' };
    },
  };
}

/** Hyper-V's KVP pools as hv_kvop keeps them (§4.2, §4.3). */
export function hypervPools(auto: Record<string, string>): KvBackend & { pools: Record<string, Map<string, string>> } {
  const pools: Record<string, Map<string, string>> = {
    auto: new Map(Object.entries(auto)),
    guest: new Map(),
    external: new Map([['HostName', 'host.example']]),
    'guest/parameters': new Map(),
  };
  const split = (key: string) => {
    const at = key.lastIndexOf('/');
    return at < 0 ? null : { pool: pools[key.slice(0, at).toLowerCase()], name: key.slice(at + 1), poolName: key.slice(0, at).toLowerCase() };
  };
  return {
    pools,
    read(type, key) {
      if (type !== 'Hyper-V') return { errno: 'ENXIO' };
      const k = split(key);
      if (!k?.pool) return { errno: 'EINVAL' };
      if (k.name === '') return { value: [...k.pool.keys()].join('\n') };
      return k.pool.has(k.name) ? { value: k.pool.get(k.name)! } : { errno: 'ENOENT' };
    },
    write(type, key, value) {
      if (type !== 'Hyper-V') return { errno: 'ENXIO' };
      const k = split(key);
      if (!k?.pool) return { errno: 'EINVAL' };
      if (k.poolName === 'auto') {
        if (!k.pool.has(k.name)) return { errno: 'ENOENT' };
      } else if (k.poolName === 'guest') {
        if (k.pool.has(k.name)) return { errno: 'EEXIST' };
      } else return { errno: 'EINVAL' };
      k.pool.set(k.name, value);
      return { value };
    },
  };
}
