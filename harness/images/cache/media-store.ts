// Downloaded install media, kept by content: <cache>/media/<algorithm>/<hex>. A file enters the
// store only after its hash matched the mirror's list; a mismatch deletes the download and
// fails with the file, the URL and both hashes.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InfraError, describe } from '../../core/errors.ts';
import { removeOnCleanup } from '../../core/cleanup.ts';
import { ChecksumError, type ChecksumEntry, type HashAlgorithm } from './checksum-list.ts';

export interface FetchOptions {
  log(message: string): void;
  signal?: AbortSignal;
  /** Give up when no byte arrived for this long. */
  idleTimeoutMs?: number;
}

export function mediaPath(cacheDir: string, algorithm: HashAlgorithm, hex: string): string {
  return join(cacheDir, 'media', algorithm, hex);
}

export async function hashFile(path: string, algorithm: HashAlgorithm): Promise<string> {
  const h = createHash(algorithm);
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

async function get(url: string, opts: FetchOptions): Promise<{ res: Response; abort: AbortController; idle: () => void; done: () => void }> {
  const abort = new AbortController();
  const onOuter = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  let timer = setTimeout(() => abort.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  const done = () => {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuter);
  };
  let res: Response;
  try {
    res = await fetch(url, { signal: abort.signal, redirect: 'follow' });
  } catch (e) {
    done();
    const cause = (e as { cause?: unknown }).cause;
    throw new InfraError(`could not fetch ${url}: ${describe(cause ?? e)}`);
  }
  if (!res.ok) {
    done();
    throw new InfraError(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  }
  return { res, abort, idle, done };
}

/** A small text file (a checksum list, a signature). */
export async function fetchText(url: string, opts: FetchOptions): Promise<string> {
  const { res, done } = await get(url, opts);
  try {
    return Buffer.from(await res.arrayBuffer()).toString('latin1');
  } finally {
    done();
  }
}

/** The store path of `expected.file`, downloading it from `url` unless the store has it. */
export async function fetchVerified(cacheDir: string, url: string, expected: ChecksumEntry, opts: FetchOptions): Promise<string> {
  const dest = mediaPath(cacheDir, expected.algorithm, expected.hex);
  const have = await stat(dest).catch(() => null);
  if (have) {
    // The store is content-addressed, but disks rot: check before trusting it.
    if ((await hashFile(dest, expected.algorithm)) === expected.hex) {
      opts.log(`${expected.file}: verified copy in the media cache`);
      return dest;
    }
    opts.log(`${expected.file}: the cached copy no longer matches its ${expected.algorithm}; fetching it again`);
    await rm(dest, { force: true });
  }
  const dir = join(cacheDir, 'media', expected.algorithm);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.download-${randomBytes(6).toString('hex')}`);
  const unRemove = removeOnCleanup(tmp);
  try {
    opts.log(`${expected.file}: fetching ${url}`);
    const { res, idle, done } = await get(url, opts);
    const total = Number(res.headers.get('content-length')) || 0;
    const hash = createHash(expected.algorithm);
    let got = 0;
    let nextReport = 64 << 20;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        idle();
        hash.update(chunk);
        got += chunk.length;
        if (got >= nextReport) {
          nextReport += 64 << 20;
          opts.log(`${expected.file}: ${(got / 2 ** 20).toFixed(0)} MiB${total ? ` of ${(total / 2 ** 20).toFixed(0)} MiB` : ''}`);
        }
        cb(null, chunk);
      },
    });
    try {
      if (!res.body) throw new InfraError(`could not fetch ${url}: empty response`);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), meter, createWriteStream(tmp));
    } catch (e) {
      if (e instanceof InfraError) throw e;
      throw new InfraError(`download of ${url} broke off after ${got} bytes: ${describe((e as { cause?: unknown }).cause ?? e)}`);
    } finally {
      done();
    }
    const hex = hash.digest('hex');
    if (hex !== expected.hex)
      throw new ChecksumError(
        `checksum mismatch for ${expected.file} fetched from ${url}: ${expected.algorithm} should be ${expected.hex} (the mirror's list) ` +
          `but is ${hex} (${got} bytes received). The download was deleted and nothing was built. ` +
          `Fix: try again, or use another --mirror`,
      );
    await chmod(tmp, 0o444);
    await rename(tmp, dest);
    opts.log(`${expected.file}: ${expected.algorithm} verified (${got} bytes)`);
    return dest;
  } finally {
    await rm(tmp, { force: true });
    unRemove();
  }
}
