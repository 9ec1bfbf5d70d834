// A real PostgreSQL server for the history tests: Debian's postgresql, a throw-away cluster made
// with initdb, listening on a free loopback port, run as the postgres user (the server refuses
// root), stopped and removed at teardown. Not a test double: the store talks to it as to any server.
import { execa } from 'execa';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const BIN_ROOT = '/usr/lib/postgresql';

export function postgresBinDir(): string | null {
  if (!existsSync(BIN_ROOT)) return null;
  const versions = readdirSync(BIN_ROOT).filter((v) => existsSync(join(BIN_ROOT, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(BIN_ROOT, versions[0], 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PgServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts a cluster; its URL names a database of its own (`pvconform`). */
export async function startPostgres(): Promise<PgServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`no PostgreSQL server under ${BIN_ROOT}. Fix: apt-get install -y postgresql (ci/setup-host.sh lists it)`);
  const root = mkdtempSync(join(tmpdir(), 'pvconform-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(root, Number((await execa('id', ['-u', 'postgres'])).stdout), Number((await execa('id', ['-g', 'postgres'])).stdout));
  const as = (cmd: string, args: string[]) => (asRoot ? execa('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : execa(join(bin, cmd), args));
  const data = join(root, 'data');
  const port = await freePort();
  let started = false;
  const stop = async () => {
    if (started) await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    started = false;
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await as('pg_ctl', ['-D', data, '-w', '-t', '60', '-l', join(root, 'server.log'), '-o', `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${root} -c fsync=off`, 'start']);
    started = true;
    await as('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'pvconform']);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/pvconform`, stop };
}
