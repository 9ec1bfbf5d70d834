// The command channel's contract now lives in core (core/shell.ts) so that core's check context
// needs nothing from transport; this name stays for the modules that still import it here.
export type { ExecOptions, ExecResult, Shell, SshEndpoint } from '../core/shell.ts';
