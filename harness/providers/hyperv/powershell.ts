// PowerShell on the Windows host, over the host's SSH shell, with JSON out and typed errors.
//
// The script travels as -EncodedCommand (base64 of UTF-16LE), so no shell on the way (cmd.exe
// or PowerShell as the OpenSSH default shell) can re-quote it. Inside, every value we put in a
// script goes through psQuote(). The wrapper turns every error into a terminating one, prints
// the result after a marker line (warnings and banners cannot be mistaken for it) and, on an
// error, writes one JSON line with the cmdlet's own message to stderr and exits 1.
import { InfraError, TimeoutError, describe } from '../../core/errors.ts';
import type { ExecResult, Shell } from '../../core/shell.ts';

export const RESULT_MARKER = 'PVCONFORM-JSON ';
export const ERROR_MARKER = 'PVCONFORM-ERROR ';
/** cmd.exe refuses command lines over 8191 characters; stay under it with room to spare. */
export const MAX_COMMAND_CHARS = 8000;

/** A PowerShell single-quoted literal. PowerShell ends such a string at ' and at the curly
 *  quotes U+2018..U+201B too, so each of them is doubled. */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** Wraps a script body: strict errors, silent side streams, UTF-8 out, JSON after a marker. */
export function wrapScript(body: string): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    "$WarningPreference = 'SilentlyContinue'",
    "$InformationPreference = 'SilentlyContinue'",
    '[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false',
    'try {',
    '  $pvResult = & {',
    body,
    '  }',
    `  [Console]::Out.WriteLine(${psQuote(RESULT_MARKER)} + (ConvertTo-Json -InputObject $pvResult -Depth 4 -Compress))`,
    '} catch {',
    '  $e = $_',
    '  $pvError = [ordered]@{ message = $e.Exception.Message; errorId = [string]$e.FullyQualifiedErrorId; category = [string]$e.CategoryInfo.Category; command = [string]$e.InvocationInfo.MyCommand }',
    `  [Console]::Error.WriteLine(${psQuote(ERROR_MARKER)} + (ConvertTo-Json -InputObject $pvError -Compress))`,
    '  exit 1',
    '}',
  ].join('\n');
}

/** The command line sent over SSH for a wrapped step. */
export function encodeCommand(body: string): string {
  return encodeRawCommand(wrapScript(body));
}

/** The command line for a script that writes its own stdout (the console reader). */
export function encodeRawCommand(script: string): string {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  const line = `powershell -NoProfile -NonInteractive -EncodedCommand ${encoded}`;
  if (line.length > MAX_COMMAND_CHARS)
    throw new InfraError(`PowerShell script too long for one command line (${line.length} > ${MAX_COMMAND_CHARS} characters); this is a harness bug`);
  return line;
}

/** The error a PowerShell step ended with, as the cmdlet put it. */
export class PowerShellError extends InfraError {
  override name = 'PowerShellError';
  constructor(
    readonly step: string,
    readonly cmdletMessage: string,
    readonly errorId: string = '',
    readonly command: string = '',
  ) {
    super(`Hyper-V host: ${step} failed${command ? ` in ${command}` : ''}: ${cmdletMessage}${errorId ? ` (${errorId})` : ''}`);
  }
}

/** Reads one PowerShell run: the JSON value after the marker (null when there is none), or a
 *  PowerShellError carrying the cmdlet's message. */
export function parseResult(step: string, result: ExecResult): unknown {
  const stdout = result.stdout.replace(/^\uFEFF/, '');
  if (result.code !== 0) throw errorFrom(step, result);
  const line = stdout.split(/\r?\n/).reverse().find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) return null;
  const json = line.slice(RESULT_MARKER.length).trim();
  if (json === '') return null;
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new InfraError(`Hyper-V host: ${step} printed output that is not JSON (${describe(e)}): ${json.slice(0, 200)}`);
  }
}

function errorFrom(step: string, result: ExecResult): PowerShellError {
  const stderr = result.stderr.replace(/^\uFEFF/, '');
  const marked = stderr.split(/\r?\n/).find((l) => l.startsWith(ERROR_MARKER));
  if (marked) {
    try {
      const e = JSON.parse(marked.slice(ERROR_MARKER.length)) as { message?: string; errorId?: string; command?: string };
      return new PowerShellError(step, (e.message ?? '').trim() || 'no message', e.errorId ?? '', e.command ?? '');
    } catch {
      /* fall through to the raw text */
    }
  }
  const text = stderr.includes('#< CLIXML') ? clixmlErrors(stderr) : stderr.trim();
  const exit = result.code === null ? `signal ${result.signal ?? '?'}` : `exit ${result.code}`;
  return new PowerShellError(step, `${text.split(/\r?\n/).slice(-20).join('\n') || result.stdout.trim().slice(-500) || 'no output'} (${exit})`);
}

/** PowerShell serialises its error stream as CLIXML when its output is not a console:
 *  `<S S="Error">text_x000D__x000A_</S>` records. Keep the text, drop the markup. */
export function clixmlErrors(stderr: string): string {
  const parts = [...stderr.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)].map((m) => m[1]);
  return decodeXmlText(parts.join(''))
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\r\n/g, '\n')
    .trim();
}

export function decodeXmlText(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9A-Fa-f]+|#[0-9]+);/g, (_, ent: string) => {
    switch (ent) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
      default: return String.fromCodePoint(ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10));
    }
  });
}

export interface PowerShellCall {
  step: string;
  durationMs: number;
  ok: boolean;
  detail: string;
}

/** Runs PowerShell steps on the host, each with its own timeout, and remembers what ran. */
export class PowerShellHost {
  readonly calls: PowerShellCall[] = [];
  constructor(
    private readonly shell: Shell,
    private readonly onCall: (call: PowerShellCall) => void = () => {},
  ) {}

  async run(step: string, body: string, timeoutMs: number): Promise<unknown> {
    const command = encodeCommand(body);
    const started = Date.now();
    let result: ExecResult;
    try {
      result = await this.shell.exec(command, { timeoutMs });
    } catch (e) {
      const timedOut = e instanceof TimeoutError;
      const why = timedOut ? `no answer within ${timeoutMs} ms` : describe(e).replace(command, 'powershell ...');
      this.record({ step, durationMs: Date.now() - started, ok: false, detail: why });
      if (timedOut) throw new TimeoutError(`Hyper-V host: ${step}: ${why}`, timeoutMs, { cause: e });
      throw new InfraError(`Hyper-V host: ${step}: ${why}`, { cause: e });
    }
    try {
      const value = parseResult(step, result);
      this.record({ step, durationMs: Date.now() - started, ok: true, detail: '' });
      return value;
    } catch (e) {
      this.record({ step, durationMs: Date.now() - started, ok: false, detail: describe(e) });
      throw e;
    }
  }

  private record(call: PowerShellCall): void {
    this.calls.push(call);
    this.onCall(call);
  }
}

/** JSON from PowerShell collapses a one-element array to the element and an empty one to
 *  null; read every list through this. */
export function asList<T = unknown>(value: unknown): T[] {
  if (value === null || value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}
