// The shared libraries a set of programs needs, found inside an unpacked package tree, so
// dom0 gets exactly what its binaries load and a missing package is named at build time.
import { execa } from 'execa';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../harness/core/errors.ts';

const LIB_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib64', 'usr/lib'];

async function needed(file: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execa('readelf', ['-d', '-W', file], { encoding: 'utf8' }));
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new InfraError('readelf not found. Fix: apt-get install binutils');
    throw new InfraError(`readelf -d ${file} failed: ${err.stderr ?? e}`);
  }
  return [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/** Where `soname` is inside `tree`, in search order (empty when nowhere). */
export async function libraryPaths(tree: string, soname: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of LIB_DIRS) {
    const p = join(tree, d, soname);
    try {
      await access(p);
      out.push(p);
    } catch {
      /* next directory */
    }
  }
  return out;
}

/** soname -> path inside `tree`, for every library the programs load, directly or not. */
export async function libraryClosure(tree: string, programs: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const queue = [...programs];
  while (queue.length) {
    const file = queue.shift()!;
    for (const soname of await needed(file)) {
      if (found.has(soname)) continue;
      const [path] = await libraryPaths(tree, soname);
      if (!path) throw new InfraError(`${file} needs ${soname}, which no package of the recipe provides. Fix: add its Debian package to vm-images/xen-host/recipe.ts`);
      found.set(soname, path);
      queue.push(path);
    }
  }
  return found;
}
