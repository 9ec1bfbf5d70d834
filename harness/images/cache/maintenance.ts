// `pvconform images list|verify|prune`: what is cached, whether it is intact, and clearing out
// what is unfinished, damaged or superseded.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from '../../core/exit-codes.ts';
import { createdAt, listEntries, type CacheEntry } from './entries.ts';
import { verifyEntry } from './verify.ts';

export interface Report {
  /** Lines for the terminal. */
  text: string;
  exitCode: number;
}

function size(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function describeEntry(e: CacheEntry): string {
  if (e.manifest) return `${e.manifest.os} ${e.manifest.release} ${e.manifest.arch}, recipe v${e.manifest.recipeVersion}, built ${e.manifest.createdAt}`;
  if (e.foreign) return `built ${createdAt(e) || 'at an unknown time'} by another builder (recipe v${e.foreign.recipeVersion ?? '?'})`;
  return e.problem ?? 'unknown';
}

export async function imagesList(cacheDir: string): Promise<Report> {
  const entries = await listEntries(cacheDir);
  if (entries.length === 0) return { text: `no images in ${cacheDir}`, exitCode: EXIT.ok };
  const lines = entries.map((e) => `${e.name}  ${e.key}  ${size(e.bytes)}  ${describeEntry(e)}`);
  return { text: [`images in ${cacheDir}:`, ...lines].join('\n'), exitCode: EXIT.ok };
}

/** Exit 0 when nothing is damaged, 2 (the environment is broken) otherwise. */
export async function imagesVerify(cacheDir: string, name?: string): Promise<Report> {
  const entries = await listEntries(cacheDir, name);
  if (entries.length === 0) return { text: `no images${name ? ` named ${name}` : ''} in ${cacheDir}`, exitCode: EXIT.ok };
  const lines: string[] = [];
  let bad = 0;
  for (const e of entries) {
    const v = await verifyEntry(e);
    const state = v.ok ? 'ok' : e.partial ? 'UNFINISHED' : `DAMAGED (${v.damagedFile ?? 'unknown file'})`;
    if (!v.ok) bad++;
    lines.push(`${e.name}/${e.key}: ${state}`);
    for (const p of v.problems) lines.push(`  problem: ${p}`);
    for (const w of v.warnings) lines.push(`  note: ${w}`);
  }
  if (bad) lines.push(`${bad} image(s) damaged or unfinished: they will not be booted. Fix: pvconform images build <name> (it rebuilds a damaged image), or pvconform images prune to remove them`);
  return { text: lines.join('\n'), exitCode: bad ? EXIT.infra : EXIT.ok };
}

export interface PruneOptions {
  /** Remove every image, ours or not, and all media. */
  all?: boolean;
  /** Also remove downloads no remaining image was built from. */
  media?: boolean;
  /** Say what would go, remove nothing. */
  dryRun?: boolean;
}

/** Removes unfinished builds, damaged images and images superseded by a newer intact build of
 *  the same name: every image records checksums now, so every image can be judged. */
export async function imagesPrune(cacheDir: string, opts: PruneOptions = {}): Promise<Report> {
  const entries = await listEntries(cacheDir);
  const doomed: { dir: string; why: string }[] = [];
  const kept: CacheEntry[] = [];
  const newestIntact = new Map<string, CacheEntry>();
  for (const e of entries) {
    if (opts.all) {
      doomed.push({ dir: e.dir, why: '--all' });
      continue;
    }
    const v = await verifyEntry(e);
    if (v.ok === false) {
      doomed.push({ dir: e.dir, why: v.problems[0] ?? 'damaged' });
      continue;
    }
    const newer = newestIntact.get(e.name);
    if (newer) doomed.push({ dir: e.dir, why: `superseded by ${newer.key} (${createdAt(newer)})` });
    else {
      newestIntact.set(e.name, e); // entries come newest first per name
      kept.push(e);
    }
  }
  if (opts.all || opts.media) {
    const used = new Set(kept.flatMap((e) => e.manifest?.media.map((m) => `${m.algorithm}/${m.hex}`) ?? []));
    for (const algo of await readdir(join(cacheDir, 'media')).catch(() => [] as string[]))
      for (const f of await readdir(join(cacheDir, 'media', algo)).catch(() => [] as string[]))
        if (opts.all || !used.has(`${algo}/${f}`)) doomed.push({ dir: join(cacheDir, 'media', algo, f), why: opts.all ? '--all' : 'no cached image was built from it' });
  }
  if (!opts.dryRun) for (const d of doomed) await rm(d.dir, { recursive: true, force: true });
  const verb = opts.dryRun ? 'would remove' : 'removed';
  const lines = doomed.map((d) => `${verb} ${d.dir}: ${d.why}`);
  lines.push(doomed.length ? `${doomed.length} item(s) ${verb}` : 'nothing to prune');
  return { text: lines.join('\n'), exitCode: EXIT.ok };
}
