// The guest half: how each OS reads and writes its XenStore. OpenBSD has hostctl(8) over
// pvbus(4); the Linux reference guest gets xs-client, which speaks the wire protocol on
// /dev/xen/xenbus and shows xenstored's error names.
import { InfraError } from '../../harness/core/errors.ts';
import type { CheckContext } from '../../harness/core/checks.ts';
import { installXsClient } from './xs-client.ts';
import { shellQuote as sq } from '../../harness/core/shell-quote.ts';

export interface StoreReply {
  ok: boolean;
  /** The value read (empty for a write). */
  value: string;
  /** The error's errno name (EACCES, ENOENT...) or the tool's own words when it gave no name. */
  error: string | null;
}

export interface GuestStore {
  read(key: string): Promise<StoreReply>;
  write(key: string, value: string): Promise<StoreReply>;
}

/** xs-client's one-line answer: "ok VALUE", "error NAME", or "fail WHAT" (the harness's problem). */
export function parseXsClient(stdout: string, what: string): StoreReply {
  const text = stdout.replace(/\n$/, '');
  if (text === 'ok' || text.startsWith('ok ')) return { ok: true, value: text.slice(3), error: null };
  if (text.startsWith('error ')) return { ok: false, value: '', error: text.slice(6).trim() };
  throw new InfraError(`xs-client ${what} in the guest: ${text || 'no output'}`);
}

const STRERROR: Record<string, string> = {
  'Permission denied': 'EACCES',
  'No such file or directory': 'ENOENT',
  'Input/output error': 'EIO',
  'Invalid argument': 'EINVAL',
  'Result too large': 'ERANGE',
  'Operation not supported': 'EOPNOTSUPP',
  'Message too long': 'EMSGSIZE',
};

/** hostctl's failure line: "hostctl: ioctl: <strerror>" (guest-facts.md §2.3). */
export function parseHostctlError(stderr: string): string {
  const m = /ioctl: (.+)$/m.exec(stderr.trim());
  return m ? (STRERROR[m[1].trim()] ?? m[1].trim()) : stderr.trim() || 'failed without a message';
}

export function guestStore(ctx: CheckContext): GuestStore {
  if (ctx.guest.os === 'linux') {
    const run = async (args: string) => {
      const tool = await installXsClient(ctx.sh);
      return (await ctx.sh.exec(`${tool} ${args}`)).stdout;
    };
    return {
      read: async (key) => parseXsClient(await run(`read ${sq(key)}`), `read ${key}`),
      write: async (key, value) => parseXsClient(await run(`write ${sq(key)} ${sq(value)}`), `write ${key}`),
    };
  }
  if (ctx.guest.os === 'openbsd') {
    const run = async (args: string): Promise<StoreReply> => {
      const r = await ctx.sh.exec(`hostctl ${args}`);
      if (r.code === 0) return { ok: true, value: r.stdout.replace(/\n$/, ''), error: null };
      return { ok: false, value: '', error: parseHostctlError(r.stderr) };
    };
    return { read: (key) => run(sq(key)), write: (key, value) => run(`${sq(key)} ${sq(value)}`) };
  }
  throw new InfraError(`no XenStore guest tool for ${ctx.guest.os} guests`);
}

/** The guest's OS name, release and first global IPv4 address. */
export async function guestIdentity(ctx: CheckContext): Promise<{ ostype: string; osrelease: string; ipv4: string | null }> {
  const addr =
    ctx.guest.os === 'linux'
      ? "ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n 1"
      : "ifconfig | awk '/inet / && $2 != \"127.0.0.1\" {print $2; exit}'";
  const r = await ctx.sh.exec(`uname -s; uname -r; ${addr}`);
  if (r.code !== 0) throw new InfraError(`cannot read the guest's name and address: ${r.stderr.trim()}`);
  const [ostype = '', osrelease = '', ipv4 = ''] = r.stdout.split('\n').map((l) => l.trim());
  return { ostype, osrelease, ipv4: ipv4 || null };
}
