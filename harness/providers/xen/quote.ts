// One argument for a POSIX shell on dom0, whatever it contains: the harness's one quoting.
export { shellQuote as sq } from '../../core/shell-quote.ts';
