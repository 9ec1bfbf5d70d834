// The PowerShell layer: encoding that no shell can re-quote, single-quoted literals, and the
// mapping of what powershell.exe prints to a value or to an error with the cmdlet's message.
import t from 'tap';
import { InfraError, TimeoutError } from '../../../harness/core/errors.ts';
import type { ExecResult, Shell } from '../../../harness/transport/shell.ts';
import {
  asList, clixmlErrors, encodeCommand, MAX_COMMAND_CHARS, parseResult, PowerShellError, PowerShellHost, psQuote,
} from '../../../harness/providers/hyperv/powershell.ts';

const run = (over: Partial<ExecResult>): ExecResult => ({ code: 0, stdout: '', stderr: '', durationMs: 1, ...over });
const decode = (line: string) => Buffer.from(line.split(' ').at(-1)!, 'base64').toString('utf16le');

t.test('the script travels as UTF-16LE base64 behind -EncodedCommand', async (t) => {
  const body = `Get-VM -Name ${psQuote("it's \"quoted\" $not `expanded` ünïcode")}`;
  const line = encodeCommand(body);
  t.match(line, /^powershell -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/]+=*$/, 'nothing but base64 after the flag');
  const script = decode(line);
  t.ok(script.includes(body), 'the body comes back verbatim');
  t.match(script, "$ErrorActionPreference = 'Stop'", 'errors are terminating');
  t.match(script, 'ConvertTo-Json -InputObject $pvResult -Depth 4 -Compress', 'JSON out');
  t.match(script, 'exit 1', 'a non-zero exit on error');
});

t.test('psQuote doubles every PowerShell single-quote character and nothing else', async (t) => {
  t.equal(psQuote("a'b"), "'a''b'");
  t.equal(psQuote('x\u2018y\u2019z\u201A\u201B'), "'x\u2018\u2018y\u2019\u2019z\u201A\u201A\u201B\u201B'");
  t.equal(psQuote('$env:PATH `n "x"'), "'$env:PATH `n \"x\"'", 'no expansion happens in single quotes, so no change');
  t.equal(psQuote(''), "''");
});

t.test('a script too long for cmd.exe is refused before it is sent', async (t) => {
  t.throws(() => encodeCommand('#'.repeat(MAX_COMMAND_CHARS)), InfraError);
});

t.test('the value is the JSON after the marker, whatever else was printed', async (t) => {
  t.same(parseResult('s', run({ stdout: 'WARNING: something\r\nPVCONFORM-JSON {"State":"Running"}\r\n' })), { State: 'Running' });
  t.same(parseResult('s', run({ stdout: '\uFEFFPVCONFORM-JSON [1,2]\n' })), [1, 2], 'a BOM is ignored');
  t.equal(parseResult('s', run({ stdout: 'PVCONFORM-JSON null\r\n' })), null);
  t.equal(parseResult('s', run({ stdout: '' })), null, 'no marker: no value');
  t.throws(() => parseResult('s', run({ stdout: 'PVCONFORM-JSON {oops' })), { name: 'InfraError', message: /not JSON/ });
});

t.test('an error becomes a PowerShellError (an InfraError) with the cmdlet message', async (t) => {
  const wrapped = run({ code: 1, stderr: 'PVCONFORM-ERROR {"message":"Hyper-V was unable to find a virtual machine with name \\"x\\".","errorId":"InvalidParameter,Microsoft.HyperV.PowerShell.Commands.StopVM","category":"InvalidArgument","command":"Stop-VM"}\r\n' });
  const e = t.throws(() => parseResult('Stop-VM -TurnOff', wrapped)) as unknown as PowerShellError;
  t.ok(e instanceof PowerShellError && e instanceof InfraError);
  t.equal(e.cmdletMessage, 'Hyper-V was unable to find a virtual machine with name "x".');
  t.match(e.message, 'Stop-VM -TurnOff failed in Stop-VM: Hyper-V was unable to find');

  const clixml = run({ code: 1, stderr: '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">New-VM : Logon failure &amp; more_x000D__x000A_</S><S S="Error">    + FullyQualifiedErrorId : X_x000D__x000A_</S></Objs>' });
  t.match(t.throws(() => parseResult('New-VM', clixml)) as unknown as Error, { message: /New-VM : Logon failure & more\n\s+\+ FullyQualifiedErrorId : X \(exit 1\)/ });

  const cmd = run({ code: 1, stderr: "'powershell' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n" });
  t.match(t.throws(() => parseResult('preflight', cmd)) as unknown as Error, { message: /'powershell' is not recognized/ });

  t.match(t.throws(() => parseResult('x', run({ code: null, signal: 'KILL' }))) as unknown as Error, { message: /signal KILL/ });
});

t.test('clixmlErrors keeps only the error text', async (t) => {
  t.equal(clixmlErrors('#< CLIXML\n<Objs><S S="progress">p</S><S S="Error">a_x000A_b</S></Objs>'), 'a\nb');
});

t.test('each call has its own timeout; a timeout is an InfraError that does not dump the base64', async (t) => {
  // A stub Shell: only the timeout mapping is under test here.
  const hangs: Shell = {
    exec: (command, o) => Promise.reject(new TimeoutError(`command timed out after ${o?.timeoutMs} ms: ${command}`, o?.timeoutMs ?? 0)),
    upload: async () => {},
    close: async () => {},
  };
  const seen: string[] = [];
  const ps = new PowerShellHost(hangs, (c) => seen.push(`${c.step}:${c.ok}`));
  const err = (await ps.run('Start-VM', 'Start-VM -Name x', 1234).catch((e: unknown) => e)) as Error;
  t.ok(err instanceof InfraError);
  t.equal(err.message, 'Hyper-V host: Start-VM: no answer within 1234 ms');
  t.same(seen, ['Start-VM:false'], 'recorded in the transcript');
});

t.test('asList undoes ConvertTo-Json collapsing one-element and empty lists', async (t) => {
  t.same(asList(null), []);
  t.same(asList({ a: 1 }), [{ a: 1 }]);
  t.same(asList([1, 2]), [1, 2]);
});
