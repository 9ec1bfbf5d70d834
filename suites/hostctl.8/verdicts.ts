// hostctl(8)'s verdicts, pure functions of the commands' exit status and output
// (guest-facts.md §2: usage, err(3) message formats, what a write prints per backend).
import type { Verdict } from '../../harness/core/checks.ts';
import type { CommandOutput } from '../probe/gather.ts';
import { STRERROR } from '../probe/pvbus-facts.ts';
import { fail, pass, skip } from '../probe/check-kit.ts';

export const USAGE = 'usage: hostctl [-qt] [-f device] [-i input] [-o output] key [value]';

const shown = (o: CommandOutput) =>
  `\`${o.command.length > 120 ? `${o.command.slice(0, 117)}...` : o.command}\` exited ${o.code}` +
  `${o.stdout ? `, stdout ${JSON.stringify(o.stdout.slice(0, 200))}` : ''}${o.stderr ? `, stderr ${JSON.stringify(o.stderr.slice(0, 200))}` : ''}`;

/** err(1, ...) output: "hostctl: <prefix>: <strerror>". */
export function errLine(prefix: string, errno: string): string {
  return `hostctl: ${prefix}: ${STRERROR[errno] ?? errno}`;
}

/** The command failed with exit 1 and exactly this message on stderr. */
export function expectError(o: CommandOutput, message: string): string | null {
  if (o.code === 1 && o.stderr.trim() === message && o.stdout === '') return null;
  return `${shown(o)}; expected exit 1 and "${message}"`;
}

/** -t: "<device>: <type>" and exit 0 for every offered minor (§2.1). */
export function judgeType(runs: Array<{ device: string; type: string; out: CommandOutput }>): Verdict {
  if (runs.length === 0) return skip('no hypervisor interface offered, so no device answers -t');
  const problems: string[] = [];
  for (const { device, type, out } of runs) {
    const want = `${device}: ${type}\n`;
    if (out.code !== 0 || out.stdout !== want) problems.push(`${shown(out)}; expected exit 0 and "${want.trim()}"`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(runs.map((r) => r.out.stdout.trim()).join(', '));
}

/** Usage errors: exit 1, the usage line on stderr (§2.1). An unknown option is refused before the
 *  device is opened; a missing key or a third argument only after (hostctl.c main), so those two
 *  are judged only where the node opens. */
export function judgeUsage(unknownOption: CommandOutput, noKey: CommandOutput | null, tooMany: CommandOutput | null): Verdict {
  const problems: string[] = [];
  const check = (o: CommandOutput, what: string) => {
    const last = o.stderr.trim().split('\n').pop() ?? '';
    if (o.code !== 1 || last !== USAGE || o.stdout !== '') problems.push(`${what}: ${shown(o)}; expected exit 1 and "${USAGE}"`);
  };
  check(unknownOption, 'unknown option');
  if (noKey) check(noKey, 'no key');
  if (tooMany) check(tooMany, 'three arguments');
  if (problems.length) return fail(problems.join('; '));
  return pass(`usage and exit 1 for ${['an unknown option', noKey && 'no key', tooMany && 'three arguments'].filter(Boolean).join(', ')}`);
}

/** open() failures: "hostctl: open: <path>: <strerror>", exit 1 (§2.2). */
export function judgeOpenErrors(cases: Array<{ what: string; out: CommandOutput; path: string; errno: string }>): Verdict {
  const problems = cases.map((c) => expectError(c.out, errLine(`open: ${c.path}`, c.errno))).filter((p): p is string => p !== null);
  if (problems.length) return fail(problems.join('; '));
  return pass(cases.map((c) => `${c.what}: "${c.out.stderr.trim()}"`).join('; '));
}

/** Reading a key prints its value (vis-encoded) and a newline, exit 0; without a store the ioctl
 *  fails with ENXIO: "hostctl: ioctl: Device not configured" (§1.4, §2.3). */
export function judgeRead(out: CommandOutput, expected: { value: string } | { errno: string }): Verdict {
  if ('errno' in expected) {
    const bad = expectError(out, errLine('ioctl', expected.errno));
    return bad ? fail(bad) : pass(`"${out.stderr.trim()}", exit 1`);
  }
  const want = expected.value === '' ? '' : `${expected.value}\n`;
  if (out.code === 0 && out.stdout === want) return pass(`printed ${JSON.stringify(expected.value)}, exit 0`);
  return fail(`${shown(out)}; expected exit 0 and ${JSON.stringify(want)}`);
}

/** A key that is not there: ENOENT on Xen and Hyper-V (§1.4 step 8). */
export function judgeMissingKey(out: CommandOutput, errno: string): Verdict {
  const bad = expectError(out, errLine('ioctl', errno));
  return bad ? fail(bad) : pass(`"${out.stderr.trim()}", exit 1`);
}

/** A write exits 0; Xen prints nothing (xs_kvop zeroes the value), Hyper-V echoes the value
 *  (§2.4); reading the key back gives the value. */
export function judgeWrite(write: CommandOutput, readBack: CommandOutput, value: string, echoes: boolean): Verdict {
  const wantOut = echoes ? `${value}\n` : '';
  if (write.code !== 0) return fail(`the write: ${shown(write)}`);
  if (write.stdout !== wantOut) return fail(`the write printed ${JSON.stringify(write.stdout)}, expected ${JSON.stringify(wantOut)} for this backend`);
  if (readBack.code !== 0 || readBack.stdout !== `${value}\n`) return fail(`reading it back: ${shown(readBack)}; expected ${JSON.stringify(value)}`);
  return pass(`wrote and read back ${JSON.stringify(value)}${echoes ? ' (the write echoes the value, as Hyper-V does)' : ''}`);
}

/** kvsetstr refuses a key that vis-encodes to 4096 bytes or more: "hostctl: key too long" (§2.3). */
export function judgeKeyTooLong(out: CommandOutput): Verdict {
  const bad = expectError(out, 'hostctl: key too long');
  return bad ? fail(bad) : pass('"hostctl: key too long", exit 1');
}

/** -i reads the value from a file, -o saves the result to one (§2.1, §2.4). */
export function judgeFiles(write: CommandOutput, read: CommandOutput, saved: string | null, value: string): Verdict {
  if (write.code !== 0) return fail(`hostctl -i: ${shown(write)}`);
  if (read.code !== 0) return fail(`hostctl -o: ${shown(read)}`);
  if (read.stdout !== '') return fail(`hostctl -o printed ${JSON.stringify(read.stdout)} on stdout as well`);
  if (saved !== `${value}\n`) return fail(`the -o file holds ${JSON.stringify(saved)}, expected ${JSON.stringify(`${value}\n`)}`);
  return pass(`-i file with ${JSON.stringify(`${value}\n`)} stored ${JSON.stringify(value)}; -o saved it`);
}

/** The -q item of an installed hostctl.8 (mdoc source): the text after ".It Fl q", or null. */
export function quietWording(page: string): string | null {
  const m = /^\.It Fl q\s*\n([\s\S]*?)(?=^\.(?:It|El)\b)/m.exec(page);
  return m ? m[1].replace(/^\.\S+\s*/gm, '').replace(/\s+/g, ' ').trim() : null;
}

/** The wording hostctl.8 revs 1.2 to 1.5 give -q (guest-facts.md §2.1). */
export const KNOWN_QUIET_WORDING = "Don't ask for confirmation of any default options.";

/** hostctl.8 says -q means "Don't ask for confirmation of any default options"; hostctl.c uses it
 *  to suppress printing the value. hostctl never asks for confirmation, so the page tells a reader
 *  that -q leaves the output alone, and it does not: a script trusting the page loses its output.
 *  That is a broken promise of the page, so fail, with both sides named. */
export function judgeQuiet(wording: string | null, plain: CommandOutput, quiet: CommandOutput): Verdict {
  const text = wording ?? KNOWN_QUIET_WORDING;
  const source = wording ? 'the installed hostctl.8' : 'hostctl.8 (not installed here; rev 1.5 wording)';
  if (plain.code !== 0 || plain.stdout === '') return skip(`the plain read printed nothing to compare against: ${shown(plain)}`);
  if (quiet.code !== 0) return fail(`hostctl -q failed: ${shown(quiet)}`);
  const suppresses = quiet.stdout === '';
  const aboutOutput = /\b(print|output|display|quiet|suppress|silen)/i.test(text) && !/confirmation/i.test(text);
  if (suppresses && aboutOutput) return pass(`${source} says -q "${text}", and -q suppressed the value`);
  if (suppresses)
    return fail(
      `${source} says -q: "${text}" hostctl never asks for confirmation; what -q does is suppress the value ` +
        `(\`hostctl KEY\` printed ${JSON.stringify(plain.stdout.trim())}, with -q nothing; hostctl.c main, guest-facts.md §2.1). ` +
        `Manual and code disagree`,
    );
  if (aboutOutput) return fail(`${source} says -q: "${text}", yet -q printed ${JSON.stringify(quiet.stdout)}`);
  return pass(`-q changed nothing observable, which "${text}" allows`);
}
