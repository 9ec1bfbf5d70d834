// Running the real CLI from tests, and reading what a run left behind.
import { execa, type ResultPromise } from 'execa';
import { readFileSync, readdirSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { CheckResult } from '../../harness/core/results.ts';

export const BIN = new URL('../../bin/pvconform', import.meta.url).pathname;

export function pvconform(args: string[], opts: { env?: Record<string, string> } = {}): ResultPromise<{ reject: false; all: true }> {
  return execa(BIN, args, { reject: false, all: true, env: { ...opts.env, CI: '1' } });
}

export function readResults(runDir: string): CheckResult[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CheckResult);
}

export function byCheck(results: CheckResult[], cell?: string): Record<string, CheckResult> {
  return Object.fromEntries(results.filter((r) => !cell || r.cell === cell).map((r) => [r.check, r]));
}

/** A scratch folder removed at teardown. */
export function scratch(t: { teardown(fn: () => void): void }, prefix = 'pvconform-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeMatrix(dir: string, name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** QEMU processes whose command line mentions `needle` (a run dir, say). */
export function qemuProcessesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes('qemu-system') && cmd.includes(needle)) out.push(`${pid}: ${cmd.slice(0, 200)}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Scratch folders the harness makes under the temp dir, by prefix. */
export function harnessTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((d) => d.startsWith('pvconform-run-') || d.startsWith('pvconform-kvm-probe-'));
}

export { existsSync };
