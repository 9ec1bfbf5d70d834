// Reading a YAML file the user wrote. Every way it can be unreadable (too big, not UTF-8, NUL
// or other control bytes, a syntax error, an alias bomb) is one line naming the file, where in
// it, and the fix: never a stack trace, and nothing is expanded past a fixed budget.
import { parseDocument } from 'yaml';
import { UsageError } from '../core/errors.ts';

/** A matrix or expectations file is a few KiB; 1 MiB is far past any real one. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Alias expansions allowed per document (yaml's own guard against "billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/** Line and column (1-based) of byte `offset` in `bytes`. */
function where(bytes: Buffer, offset: number): string {
  const before = bytes.subarray(0, offset);
  const line = before.filter((b) => b === 0x0a).length + 1;
  const col = offset - before.lastIndexOf(0x0a);
  return `:${line}:${col}`;
}

/** Offset of the first byte that is not well-formed UTF-8 (RFC 3629), or -1. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || (n > 0 && i + n >= b.length)) return i; // not a lead byte, or cut off at the end
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    if (n === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0))) return i; // overlong, surrogate
    if (n === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90))) return i; // overlong, > U+10FFFF
    i += n + 1;
  }
  return -1;
}

/** The longest line of an oversized file and the key it sets, to say which field made it big. */
function biggestLine(bytes: Buffer): string {
  let best = { start: 0, len: 0, line: 0 };
  let start = 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      if (i - start > best.len) best = { start, len: i - start, line };
      start = i + 1;
      line++;
    }
  }
  // The long value follows the last key its line's start names (`{name: q, extraKernelArgs: "aaa...`).
  const head = bytes.subarray(best.start, best.start + Math.min(best.len, 4096)).toString('utf8');
  const key = [...head.matchAll(/([A-Za-z_][\w.]*)\s*:(?:\s|$)/g)].pop()?.[1];
  return `line ${best.line}${key ? ` (field ${key})` : ''} is ${best.len} bytes`;
}

/** The refusal of a file of `size` bytes, over the limit; `head` is its start. */
export function tooBig(head: Buffer, size: number, file: string): UsageError {
  return new UsageError(`${file}: the file is ${size} bytes, more than the ${MAX_YAML_BYTES} a config file may be; ${biggestLine(head)}${head.length < size ? ' or more' : ''}. Fix: shorten that value (no field needs more than a few KiB)`);
}

/** The file's bytes as text, or a UsageError saying what is wrong with the encoding. */
export function decodeYamlBytes(bytes: Buffer, file: string): string {
  if (bytes.length > MAX_YAML_BYTES) throw tooBig(bytes, bytes.length, file);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe))
    throw new UsageError(`${file}: the file is UTF-16 or UTF-32 (it starts with that byte-order mark). Fix: save it as UTF-8`);
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) throw new UsageError(`${file}${where(bytes, bad)}: not UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, '0')}). Fix: save the file as UTF-8`);
  const ctl = bytes.findIndex((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f);
  if (ctl >= 0) throw new UsageError(`${file}${where(bytes, ctl)}: a control byte 0x${bytes[ctl].toString(16).padStart(2, '0')}${bytes[ctl] === 0 ? ' (NUL)' : ''} in the text. Fix: remove it (is this a binary file?)`);
  // A UTF-8 byte-order mark is allowed by YAML 1.2 and some editors write one: drop it.
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The document as plain data, or a UsageError at the first problem. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError(`${file}${at}: not valid YAML: ${what}. Fix: correct the YAML syntax there.`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws while expanding aliases: an alias bomb ("billion laughs") past the budget, or
    // an alias to an anchor not yet set. Both are the file's fault.
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new UsageError(`${file}: YAML aliases (*name) refused: ${msg}. Fix: write the values out (at most ${MAX_ALIAS_COUNT} alias copies), and set each &anchor before its *alias`);
  }
}

/** A YAML file's bytes to data: encoding checks, then parsing. */
export function parseYamlBytes(bytes: Buffer, file: string): unknown {
  return parseYaml(decodeYamlBytes(bytes, file), file);
}
