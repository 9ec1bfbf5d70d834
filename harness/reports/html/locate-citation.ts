// Finds a cited sentence in a manual page's text as received, to highlight it there. The copies
// differ (mdoc source, flattened onto one line, a source viewer's line numbers, rendered text)
// and citations quote the rendered words, so both sides are compared as bare words: mdoc macros,
// line numbers and punctuation drop out, `.Nm` stands for the page's name, `ld(4)` is `ld 4`,
// and "..." in a citation skips ahead, as does a colon (a citation may quote a list's lead-in,
// then the one item it is about).

export interface Word {
  word: string;
  start: number;
  end: number;
  /** The token as written, line number removed ("device.", "pvbus(4),"). */
  token: string;
}

/** mdoc macros, dropped when written as macros (`.Sh`, `.Xr`). */
const MACROS = new Set(
  ('Xr Em Sy Ar Fa Fn Fo Fc Pa Li Cm Fl Va Dv Er Ev Ic Ql Dq Do Dc Sq So Sc Pq Po Pc Aq Ao Ac Qq Qo Qc Bq Bo Bc Mt An Cd Nd ' +
    'Op Oo Oc Ta No Ns Pf Dl D1 Tn Ux At St Lk In Ft Vt Ms Sx Ad Lb Eo Ec Ot Sh Ss Pp Lp It Bl El Bd Ed Bk Ek Rs Re Dd Dt Os ' +
    '%A %T %B %J %D %N %O %P %Q %R %V %I %C %U').split(' '),
);
/** Macros that also appear without their dot, called from another macro's line (`.It Xr ld 4`);
 *  only those that are not English words. */
const CALLED = new Set('Xr Em Sy Ar Fa Fn Pa Li Cm Fl Va Dv Er Ev Ic Ql Dq Sq Pq Aq Mt Cd Ns Pf Sx Ad Op Oo Oc Ta Ft Vt Tn'.split(' '));
const SYSTEMS: Record<string, string> = { Ox: 'openbsd', Nx: 'netbsd', Fx: 'freebsd' };
/** Macros whose arguments are layout or dates, never text. */
const LAYOUT = new Set(['.Bl', '.Bd', '.Dd', '.Dt', '.Os']);
/** Longest gap "..." may stand for, in words. */
const MAX_GAP = 80;
/** A copy whose words carry at least this many consecutive line numbers is a numbered copy. */
const NUMBERED_MIN = 20;

const bare = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** Line numbers glued to the first word of each line ("44defines", "12.\\\""), counted 1, 2, 3...
 *  even where the copy was flattened onto one line. Returns a function that strips them. */
function lineNumberStripper(tokens: string[]): (tok: string) => string {
  const strip = () => {
    let expected = 1;
    return (tok: string) => {
      const n = String(expected);
      if (tok.startsWith(n) && !/^\d/.test(tok.slice(n.length))) {
        expected++;
        return tok.slice(n.length);
      }
      return tok;
    };
  };
  const probe = strip();
  let chain = 0;
  for (const t of tokens) if (probe(t) !== t) chain++;
  return chain >= NUMBERED_MIN ? strip() : (tok) => tok;
}

/** The page's words with their places in the text. */
export function pageWords(text: string): Word[] {
  const matches = [...text.matchAll(/\S+/g)];
  const unnumber = lineNumberStripper(matches.map((m) => m[0]));
  const tokens = matches.map((m) => ({ tok: unnumber(m[0]), start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
  const nameAt = tokens.findIndex((t, i) => t.tok === '.Nm' && i + 1 < tokens.length && !tokens[i + 1].tok.startsWith('.'));
  const name = nameAt >= 0 ? bare(tokens[nameAt + 1].tok) : '';
  const flattened = text.split('\n').length < 5;
  const out: Word[] = [];
  let skipping = false; // the rest of a comment's or a layout macro's line
  let lastLine = -1;
  let comment = false;
  let previous = '';
  for (const { tok, start, end } of tokens) {
    const line = text.lastIndexOf('\n', start);
    if (skipping && !tok.startsWith('.')) {
      // In a flattened copy a comment runs to the next macro, and a layout macro's arguments
      // are its flags ("-tag -width Xr -compact").
      if (!flattened && line === lastLine) continue;
      if (flattened && (comment || /^-/.test(tok) || /^-(width|offset)$/.test(previous))) {
        previous = tok;
        continue;
      }
    }
    comment = tok.startsWith('.\\"');
    skipping = comment || LAYOUT.has(tok);
    lastLine = line;
    previous = tok;
    if (skipping || tok === '') continue;
    const macro = tok.startsWith('.') ? tok.slice(1) : tok;
    if (macro === 'Nm' && tok.startsWith('.')) {
      if (name) out.push({ word: name, start, end, token: name });
      continue;
    }
    if (macro in SYSTEMS) {
      out.push({ word: SYSTEMS[macro], start, end, token: { Ox: 'OpenBSD', Nx: 'NetBSD', Fx: 'FreeBSD' }[macro] ?? macro });
      continue;
    }
    if (tok.startsWith('.') ? MACROS.has(macro) : CALLED.has(tok)) continue;
    // "pvbus(4)." is the words "pvbus" and "4", as `.Xr pvbus 4` is.
    for (const part of tok.replace(/\((\w+)\)/g, ' $1').split(' ')) {
      const w = bare(part);
      if (w) out.push({ word: w, start, end, token: tok });
    }
  }
  return out;
}

/** The citation as runs of bare words, split where it says "..." or ": ". */
function sentenceRuns(sentence: string): string[][] {
  return sentence
    .split(/\.\.\.|…|:\s/)
    .map((run) => run.replace(/\((\w+)\)/g, ' $1').split(/\s+/).map(bare).filter(Boolean))
    .filter((run) => run.length > 0);
}

function runAt(words: Word[], at: number, run: string[]): boolean {
  if (at + run.length > words.length) return false;
  return run.every((w, i) => words[at + i].word === w);
}

/** [start, end) of the cited sentence in the page text, or null when it is not there. */
export function locateCitation(pageText: string, sentence: string): [number, number] | null {
  const runs = sentenceRuns(sentence);
  if (runs.length === 0) return null;
  const words = pageWords(pageText);
  for (let first = 0; first < words.length; first++) {
    if (!runAt(words, first, runs[0])) continue;
    let next = first + runs[0].length;
    let ok = true;
    for (const run of runs.slice(1)) {
      let found = -1;
      for (let at = next; at <= Math.min(words.length - run.length, next + MAX_GAP); at++)
        if (runAt(words, at, run)) {
          found = at;
          break;
        }
      if (found < 0) {
        ok = false;
        break;
      }
      next = found + run.length;
    }
    if (ok) return [words[first].start, words[next - 1].end];
  }
  return null;
}
