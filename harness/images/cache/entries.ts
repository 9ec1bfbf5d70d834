// The image cache's folders: <cache>/<image name>/<key>/ with a manifest.json each, plus
// <cache>/<name>/.partial-* while a build runs and <cache>/media/ for downloads.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MANIFEST_FILE, readManifest, type ImageManifest } from './manifest.ts';

/** THE rule for where images are cached, used by every command (run, images build|list|
 *  verify|prune) and every image: $PVCONFORM_IMAGE_CACHE when set, else `.cache/images` under
 *  the repository. Read at each call, so it follows the environment of the moment. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.PVCONFORM_IMAGE_CACHE;
  return fromEnv ? resolve(fromEnv) : resolve(import.meta.dirname, '..', '..', '..', '.cache', 'images');
}

/** The folder holding every cached build of one image (`<cache>/<name>`). */
export function imageCacheDir(name: string): string {
  return join(defaultCacheDir(), name);
}

export const PARTIAL_PREFIX = '.partial-';
/** Top-level folders that are not images. */
const NOT_IMAGES = new Set(['media', 'logs']);

export interface CacheEntry {
  name: string;
  key: string;
  dir: string;
  /** Ours, when the manifest parses. */
  manifest: ImageManifest | null;
  /** A manifest written by another builder (the Linux reference guest's), as read. */
  foreign: Record<string, unknown> | null;
  /** Why the manifest could not be used, or that the build never finished. */
  problem: string | null;
  partial: boolean;
  /** Bytes on disk. */
  bytes: number;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else {
      const st = await stat(p).catch(() => null);
      total += st ? st.blocks * 512 : 0;
    }
  }
  return total;
}

async function readEntry(cacheDir: string, name: string, key: string): Promise<CacheEntry> {
  const dir = join(cacheDir, name, key);
  const entry: CacheEntry = { name, key, dir, manifest: null, foreign: null, problem: null, partial: key.startsWith(PARTIAL_PREFIX), bytes: await folderBytes(dir) };
  if (entry.partial) {
    entry.problem = 'an unfinished build (its builder stopped before the image was complete)';
    return entry;
  }
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    entry.problem = `no ${MANIFEST_FILE}`;
    return entry;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    entry.problem = `${path}: not JSON (${(e as Error).message})`;
    return entry;
  }
  if (json.schema === 1) {
    try {
      entry.manifest = await readManifest(path);
    } catch (e) {
      entry.problem = (e as Error).message;
    }
  } else entry.foreign = json;
  return entry;
}

export async function listEntries(cacheDir: string, onlyName?: string): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  const names = await readdir(cacheDir, { withFileTypes: true }).catch(() => []);
  for (const n of names) {
    if (!n.isDirectory() || NOT_IMAGES.has(n.name) || (onlyName && n.name !== onlyName)) continue;
    for (const k of await readdir(join(cacheDir, n.name), { withFileTypes: true })) {
      if (k.isDirectory()) out.push(await readEntry(cacheDir, n.name, k.name));
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || createdAt(b).localeCompare(createdAt(a)));
}

/** When the entry was made, from either kind of manifest ('' when unknown). */
export function createdAt(e: CacheEntry): string {
  return e.manifest?.createdAt ?? (typeof e.foreign?.builtAt === 'string' ? e.foreign.builtAt : '');
}
