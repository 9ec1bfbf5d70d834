// Builds xs-client.c once per source version (gcc -static on the harness host, so the guest
// needs nothing installed) and puts it into a Linux guest.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdir, readFile, rename, rm, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { InfraError } from '../../harness/core/errors.ts';
import type { Shell } from '../../harness/core/shell.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'xs-client.c');
const CACHE = join(here, '..', '..', '.cache', 'tools');
/** Where the tool lives in the guest. */
export const GUEST_PATH = '/tmp/pvconform-xs-client';

let built: Promise<string> | null = null;

export function buildXsClient(): Promise<string> {
  built ??= (async () => {
    const source = await readFile(SOURCE);
    const out = join(CACHE, `xs-client-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
    try {
      await access(out);
      return out;
    } catch {
      /* build it */
    }
    await mkdir(CACHE, { recursive: true });
    const part = `${out}.part-${process.pid}`;
    try {
      await execa('gcc', ['-static', '-Os', '-s', '-Wall', '-o', part, SOURCE]);
      await rename(part, out);
    } catch (e) {
      const err = e as { code?: string; stderr?: string };
      if (err.code === 'ENOENT') throw new InfraError('gcc not found: the Linux side of the xen.4-host checks is a small static C tool. Fix: apt-get install gcc libc6-dev');
      throw new InfraError(`building xs-client failed: ${(err.stderr ?? String(e)).trim().slice(-400)}`);
    } finally {
      await rm(part, { force: true });
    }
    return out;
  })();
  built.catch(() => (built = null));
  return built;
}

const installed = new WeakSet<Shell>();

/** Puts the tool into the guest once per connection. Sent as a command's stdin rather than
 *  over SFTP: exec has a timeout, and an SFTP upload through dom0 once hung here for good. */
export async function installXsClient(sh: Shell): Promise<string> {
  if (installed.has(sh)) return GUEST_PATH;
  const local = await buildXsClient();
  const bytes = await readFile(local);
  // Compressed on the way (static glibc shrinks to about a third): every byte crosses two
  // encrypted hops into an emulated guest.
  const r = await sh.exec(`gunzip -c > ${GUEST_PATH}.part && chmod 755 ${GUEST_PATH}.part && mv -f ${GUEST_PATH}.part ${GUEST_PATH} && wc -c < ${GUEST_PATH}`, { stdin: gzipSync(bytes, { level: 9 }), timeoutMs: 60_000 });
  if (r.code !== 0 || Number(r.stdout.trim()) !== bytes.length)
    throw new InfraError(`cannot put xs-client into the guest (exit ${r.code}, ${r.stdout.trim() || 0} of ${bytes.length} bytes): ${r.stderr.trim()}`);
  installed.add(sh);
  return GUEST_PATH;
}
