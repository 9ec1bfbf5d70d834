// The one shell quoting of the harness: a word for a POSIX sh command line, whatever it holds
// (left bare when it has only characters sh never treats specially, else single-quoted).
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words joined into one command line, each quoted. */
export function shellCommand(words: string[]): string {
  return words.map(shellQuote).join(' ');
}
