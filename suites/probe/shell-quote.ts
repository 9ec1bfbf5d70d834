// One word for a POSIX sh command line, whatever it holds: the harness's one quoting.
export { shellQuote as shq, shellCommand as shCommand } from '../../harness/core/shell-quote.ts';
