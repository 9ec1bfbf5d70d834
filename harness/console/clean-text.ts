// Serial output as a person reads it: no terminal escape sequences, no carriage returns, no
// kernel messages that landed in the middle of a line. Every kept character remembers where it
// came from in the raw log, so a match in the clean text moves the raw offset exactly.

/** A piece of console output that is not part of what the shell or installer printed. */
export interface NoisePattern {
  /** What it is, for the transcript ("linux printk line"). */
  name: string;
  /** Global regex, matched against text already stripped of escapes and CRs. */
  pattern: RegExp;
}

export interface CleanText {
  text: string;
  /** rawIndex[i] is the raw position of text[i]; rawIndex[text.length] is the raw end. */
  rawIndex: number[];
}

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte escapes, and the
// control characters a serial terminal shows nothing for.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]|[\r\0\x07\x08\x0e\x0f]/g;

function dropMatches(input: CleanText, pattern: RegExp): CleanText {
  const keep: string[] = [];
  const index: number[] = [];
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  let last = 0;
  for (let m = re.exec(input.text); m; m = re.exec(input.text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    for (let i = last; i < m.index; i++) {
      keep.push(input.text[i]);
      index.push(input.rawIndex[i]);
    }
    last = m.index + m[0].length;
  }
  for (let i = last; i < input.text.length; i++) {
    keep.push(input.text[i]);
    index.push(input.rawIndex[i]);
  }
  index.push(input.rawIndex[input.text.length]);
  return { text: keep.join(''), rawIndex: index };
}

/** Cleans `raw` (whose first character sits at raw position `base`). */
export function cleanConsoleText(raw: string, base = 0, noise: readonly NoisePattern[] = []): CleanText {
  let out: CleanText = { text: raw, rawIndex: Array.from({ length: raw.length + 1 }, (_, i) => base + i) };
  out = dropMatches(out, ESCAPES);
  for (const n of noise) out = dropMatches(out, n.pattern);
  return out;
}

/** Linux printk lines as the serial console shows them with printk.time=1:
 *  `[   12.345678] text` up to the end of that line. The console prints them whole, so a
 *  message inserted mid-line ends with its own newline and the interrupted line resumes. */
export const LINUX_PRINTK: NoisePattern = {
  name: 'linux printk line',
  pattern: /\[ *\d+\.\d{6}\] [^\n]*\n/g,
};
