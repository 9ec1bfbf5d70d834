// No import cycle in the project's code (harness/, suites/, vm-images/), at two grains:
// - between folders (harness/<part>, suites/<page>, vm-images/<image>), counting every import,
//   type-only and lazy import('...') included: a cycle there ties parts that should change,
//   load and be tested alone;
// - between modules, counting static imports (the ones ESM evaluates first, where a cycle
//   means a module can run before what it uses is initialised).
// Every cycle found is printed, with the modules behind each folder-to-folder step.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { edgeWitness, folderGraph, importCycles, importGraph } from '../helpers/import-graph.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['harness', 'suites', 'vm-images'];

t.test('no cycle between folders', async (t) => {
  const modules = importGraph(ROOT, FOLDERS);
  t.ok(modules.size > 100, `read the modules (${modules.size})`);
  const folders = folderGraph(modules);
  const cycles = importCycles(folders);
  const text = cycles
    .map((c) => c.join(' -> ') + '\n' + c.slice(1).map((to, i) => `    ${edgeWitness(modules, c[i], to)}`).join('\n'))
    .join('\n');
  t.comment(`${folders.size} folders, ${cycles.length} folder cycles${text ? ':\n' + text : ''}`);
  t.equal(cycles.length, 0, text ? `folder cycles:\n${text}` : 'no folder cycles');
});

t.test('no cycle between modules (static imports)', async (t) => {
  const modules = importGraph(ROOT, FOLDERS, { dynamic: false });
  const cycles = importCycles(modules);
  const text = cycles.map((c) => c.join(' -> ')).join('\n');
  t.comment(`${modules.size} modules, ${cycles.length} module cycles${text ? ':\n' + text : ''}`);
  t.equal(cycles.length, 0, text ? `module cycles:\n${text}` : 'no module cycles');
});

t.test('the walker finds a cycle when there is one, and prints it', async (t) => {
  const graph = new Map([['a/x.ts', ['b/y.ts']], ['b/y.ts', ['c/z.ts']], ['c/z.ts', ['a/x.ts']], ['d/w.ts', ['a/x.ts']]]);
  t.same(importCycles(graph), [['a/x.ts', 'b/y.ts', 'c/z.ts', 'a/x.ts']]);
  t.same(importCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
});
