// The environment that explains a change between two runs: versions of QEMU, Xen and the host
// kernel, the cached images (key and recipe version), the harness version and git commit.
// Each probe is best-effort: a missing tool is recorded as null, never an error.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { defaultCacheDir, listEntries } from '../images/cache/entries.ts';
import type { Environment } from './records.ts';

const run = promisify(execFile);
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const ENVIRONMENT_FILE = 'environment.json';

async function firstLine(cmd: string, args: string[], cwd?: string): Promise<string | null> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 5000, cwd });
    return stdout.split('\n')[0].trim() || null;
  } catch {
    return null;
  }
}

export async function collectEnvironment(): Promise<Environment> {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  const entries = await listEntries(defaultCacheDir()).catch(() => []);
  const images = entries
    .filter((e) => !e.partial && e.problem === null)
    .map((e) => ({ name: e.name, key: e.key, recipeVersion: e.manifest?.recipeVersion ?? (typeof e.foreign?.recipeVersion === 'number' ? e.foreign.recipeVersion : null) }));
  // Xen runs nested inside the xen-host image (or on a remote dom0, which reports its own):
  // the image that carries it is what identifies the version here.
  const xenHost = images.find((i) => i.name === 'xen-host');
  return {
    harnessVersion: pkg.version ?? null,
    gitCommit: await firstLine('git', ['rev-parse', 'HEAD'], REPO_ROOT),
    node: process.version,
    hostKernel: release(),
    qemu: await firstLine('qemu-system-x86_64', ['--version']),
    xen: xenHost ? `xen-host image ${xenHost.key} (recipe ${xenHost.recipeVersion ?? '?'})` : null,
    images,
  };
}

/** Kept in the run directory, so a run recorded later still carries the environment it ran in. */
export async function saveEnvironment(runDir: string, env: Environment): Promise<void> {
  await writeFile(join(runDir, ENVIRONMENT_FILE), JSON.stringify(env, null, 2) + '\n');
}

export async function loadEnvironment(runDir: string): Promise<Environment | null> {
  try {
    return JSON.parse(await readFile(join(runDir, ENVIRONMENT_FILE), 'utf8')) as Environment;
  } catch {
    return null;
  }
}
