// A manual page cut into its statements of behaviour: the sentences (and list items) of every
// section but NAME, SYNOPSIS, SEE ALSO, HISTORY and AUTHORS, each with its place in the text, so
// the report can mark which ones a check cites and count those no check verifies yet.
import { pageWords, type Word } from './locate-citation.ts';

export interface Statement {
  /** [start, end) in the page text. */
  span: [number, number];
  /** The statement's words as written, macros and line numbers left out. */
  text: string;
  section: string;
}

/** Sections that name, list or credit rather than promise. */
const NOT_BEHAVIOUR = new Set(['NAME', 'SYNOPSIS', 'SEE ALSO', 'HISTORY', 'AUTHORS']);

/** Section headings (`.Sh NAME`, also in a copy flattened onto one line) by offset. */
function sections(text: string): { at: number; headingEnd: number; name: string }[] {
  return [...text.matchAll(/(?:^|\s|\d)\.Sh\s+([A-Z]+(?: [A-Z]+)*)\b/g)].map((m) => ({ at: m.index ?? 0, headingEnd: (m.index ?? 0) + m[0].length, name: m[1] }));
}

/** Between two words, a new paragraph, list item or display begins. */
const BREAK = /(?:^|\s|\d)\.(?:Pp|Lp|It|Bl|El|Bd|Ed|Sh|Ss)\b|\n[ \t]*\n/;
/** Literal displays (`.Bd -literal` ... `.Ed`) are examples, not statements. */
const DISPLAY = /(?:^|\s|\d)\.Bd\s+-literal[\s\S]*?(?:^|\s|\d)\.Ed\b/g;

export function pageStatements(text: string): Statement[] {
  const heads = sections(text);
  // A rendered copy has lost its macros: read it all, keeping only finished sentences.
  const rendered = heads.length === 0;
  const displays = [...text.matchAll(DISPLAY)].map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length]);
  const sectionAt = (w: Word) => {
    let s: (typeof heads)[number] | null = rendered ? { at: 0, headingEnd: 0, name: 'DESCRIPTION' } : null;
    for (const h of heads) if (h.at <= w.start) s = h;
    return s;
  };
  const out: Statement[] = [];
  let current: Word[] = [];
  let currentSection = '';
  const flush = () => {
    const finished = current.length > 0 && /[.!?]["')]?$/.test(current[current.length - 1].token);
    if (current.length >= 2 && (finished || !rendered)) {
      const tokens: string[] = [];
      let lastStart = -1;
      for (const w of current) if (w.start !== lastStart) (tokens.push(w.token), (lastStart = w.start));
      out.push({ span: [current[0].start, current[current.length - 1].end], text: tokens.join(' '), section: currentSection });
    }
    current = [];
  };
  let lastEnd = 0;
  // One token may give several words ("pvbus(4)."): a sentence ends after the token's last word.
  let endsAfter = -1;
  for (const w of pageWords(text)) {
    if (endsAfter >= 0 && w.start !== endsAfter) flush();
    endsAfter = -1;
    const s = sectionAt(w);
    const between = text.slice(lastEnd, w.start);
    lastEnd = w.end;
    if (BREAK.test(between)) flush();
    if (!s || w.start < s.headingEnd || NOT_BEHAVIOUR.has(s.name) || displays.some(([a, b]) => w.start >= a && w.start < b)) {
      flush();
      continue;
    }
    if (s.name !== currentSection) flush();
    currentSection = s.name;
    current.push(w);
    if (/[.!?]["')]?$/.test(w.token) && !/^(e\.g|i\.e|etc|vs)\.$/i.test(w.token)) endsAfter = w.start;
  }
  flush();
  return out;
}

/** The statements a cited span touches. */
export function statementsCovered(statements: Statement[], span: [number, number]): number[] {
  return statements.flatMap((s, i) => (s.span[0] < span[1] && span[0] < s.span[1] ? [i] : []));
}
