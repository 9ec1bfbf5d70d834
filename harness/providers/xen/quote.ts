// One argument for a POSIX shell on dom0, whatever it contains.
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
