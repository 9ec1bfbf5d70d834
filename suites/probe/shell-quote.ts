// One word for a POSIX sh command line, whatever it holds.
export function shq(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shCommand(words: string[]): string {
  return words.map(shq).join(' ');
}
