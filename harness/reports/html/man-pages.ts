// The manual pages the results cite, read once each so the report can show a citation inside its
// page without a network or the source tree beside it.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckResult } from '../../core/results.ts';
import { locateCitation } from './locate-citation.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Larger than any manual page; a citation naming something else is not embedded. */
const MAX_PAGE_BYTES = 256 * 1024;

export interface EmbeddedPage {
  page: string;
  text: string;
  /** Where each cited sentence is in `text` ([start, end)), or null where it is not found. */
  spans: Record<string, [number, number] | null>;
}

/** Where a citation's `file` may be: as given, beside the run, or in the repository (man/ holds
 *  the cited pages), never outside the checkout. */
function candidates(file: string, runDir: string): string[] {
  if (isAbsolute(file)) return [file];
  return [join(runDir, file), join(REPO_ROOT, file)];
}

async function readFirst(paths: string[]): Promise<string | null> {
  for (const p of paths) {
    try {
      const buf = await readFile(p);
      if (buf.length <= MAX_PAGE_BYTES) return buf.toString('utf8');
    } catch {
      // try the next place
    }
  }
  return null;
}

/** Cited page texts keyed by the citation's `file`, with the place of each cited sentence; pages
 *  that cannot be found are left out (the report then shows the file name beside the quote). */
export async function loadCitedPages(results: CheckResult[], runDir: string): Promise<Record<string, EmbeddedPage>> {
  const wanted = new Map<string, { page: string; sentences: Set<string> }>();
  for (const r of results) {
    if (r.citation?.kind !== 'man') continue;
    const w = wanted.get(r.citation.file) ?? { page: r.citation.page, sentences: new Set<string>() };
    w.sentences.add(r.citation.sentence);
    wanted.set(r.citation.file, w);
  }
  const pages: Record<string, EmbeddedPage> = {};
  for (const [file, { page, sentences }] of wanted) {
    const text = await readFirst(candidates(file, runDir));
    if (text === null) continue;
    const spans: EmbeddedPage['spans'] = {};
    for (const s of sentences) spans[s] = locateCitation(text, s);
    pages[file] = { page, text, spans };
  }
  return pages;
}
