// The import graph of the project's own TypeScript (harness/, suites/, vm-images/), read from
// the source text: static `import ... from`, `export ... from` and `import('...')` with a
// literal path, type-only imports included (a cycle of types still ties two folders together).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const STATIC = /(?:\bfrom\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
const DYNAMIC = /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Module (path relative to `root`) -> the project modules it imports. `dynamic: false` leaves
 *  out `import('...')` (loaded later, when the importer has run: no evaluation-order cycle). */
export function importGraph(root: string, folders: string[], opts: { dynamic?: boolean } = {}): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const folder of folders)
    for (const file of tsFiles(join(root, folder))) {
      const text = readFileSync(file, 'utf8');
      const deps = new Set<string>();
      const found = [...text.matchAll(STATIC), ...(opts.dynamic === false ? [] : text.matchAll(DYNAMIC))];
      for (const m of found) {
        const target = relative(root, resolve(dirname(file), m[1]));
        if (folders.some((f) => target.startsWith(f + '/'))) deps.add(target);
      }
      graph.set(relative(root, file), [...deps].sort());
    }
  return graph;
}

/** The folder a module belongs to: `harness/providers/qemu/qmp.ts` -> `harness/providers`
 *  (a part of the harness with its subfolders), `suites/xen.4/index.ts` -> `suites/xen.4`. */
export function folderOf(module: string): string {
  const parts = module.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0];
}

/** The graph between folders: folder -> folders one of its modules imports. */
export function folderGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [from, deps] of graph) {
    const f = folderOf(from);
    const set = out.get(f) ?? new Set<string>();
    out.set(f, set);
    for (const d of deps) if (folderOf(d) !== f) set.add(folderOf(d));
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** The modules behind one folder-to-folder edge, for messages: `a.ts -> b.ts`. */
export function edgeWitness(graph: Map<string, string[]>, fromFolder: string, toFolder: string): string {
  for (const [from, deps] of graph)
    if (folderOf(from) === fromFolder)
      for (const d of deps) if (folderOf(d) === toFolder) return `${from} -> ${d}`;
  return `${fromFolder} -> ${toFolder}`;
}

/** Every strongly connected group of two or more modules (or one importing itself), each as
 *  one cycle through it, written `a -> b -> a` (Tarjan's algorithm, then a path inside). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return groups.map((g) => cycleIn(graph, new Set(g)));
}

/** One closed path through a strongly connected group, from its first module in sort order. */
function cycleIn(graph: Map<string, string[]>, group: Set<string>): string[] {
  const start = [...group].sort()[0];
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!group.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

