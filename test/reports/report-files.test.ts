// The report files without a browser: the embedded data survives hostile messages, the matrix
// counts, the Markdown summary, reading damaged run files, and finding citations in the pages.
import t from 'tap';
import { readFileSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jsonForScript } from '../../harness/reports/html/embed-json.ts';
import { writeHtmlReport } from '../../harness/reports/html/write.ts';
import { buildMatrix, cellAt } from '../../harness/reports/matrix.ts';
import { renderMarkdownSummary } from '../../harness/reports/markdown.ts';
import { locateCitation } from '../../harness/reports/html/locate-citation.ts';
import { classify } from '../../harness/reports/compare/classify.ts';
import { readRun } from '../../harness/run-dir/read.ts';
import { UsageError } from '../../harness/core/errors.ts';
import { worst } from '../../harness/core/results.ts';
import { allChecks } from '../../harness/suites/catalog.ts';
import { largeMatrix, result, writeRun } from './fixture-run.ts';
import { scratch } from '../helpers/cli.ts';

const SHARED_MAN = new URL('../../../shared/man/', import.meta.url).pathname;

t.test('jsonForScript: no message can end the script element', async (t) => {
  const hostile = { m: '</script><script>alert(1)</script><!-- \u2028 & "q"' };
  const s = jsonForScript(hostile);
  t.notMatch(s, /<|>|&|\u2028/);
  t.same(JSON.parse(s), hostile, 'and it parses back to the same value');
});

t.test('report.html: one file, data embedded once and intact', async (t) => {
  const dir = scratch(t);
  const { cells, planCells } = largeMatrix();
  const { results } = await writeRun(dir, cells, { planCells });
  const file = await writeHtmlReport(dir);
  t.equal(file, join(dir, 'report.html'));
  const html = readFileSync(file, 'utf8');
  t.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the data and the page script close a script element');
  t.notMatch(html, /<(link|script)[^>]+(src|href)="(?!data:)/, 'nothing loaded from elsewhere');
  const data = JSON.parse(/<script type="application\/json" id="pvconform-data">([^]*?)<\/script>/.exec(html)![1]);
  t.same(data.results, results, 'the results, as written');
  t.same(data.guests, ['linux-ref', 'openbsd-7.8', 'netbsd-10.1']);
  t.equal(data.cells.find((c: { id: string }) => c.id === 'linux-ref@hyperv-gen2').notRun, 13, 'the planned cell without results: its 13 results not run');
  t.same(data.cells.find((c: { id: string }) => c.id === 'linux-ref@qemu').files, ['artifacts/linux-ref@qemu/console.log', 'artifacts/linux-ref@qemu/dmesg.txt']);
  const page = data.pages['man/hyperv.4.openbsd.txt'];
  t.ok(page, 'the cited page is embedded');
  const span = page.spans['Generation 2 Virtual Machines are currently not supported.'];
  t.equal(page.text.slice(span[0], span[1]), 'Generation 2 Virtual Machines are currently not supported.');
});

t.test('matrix: counts and worst state per cell, from the results', async (t) => {
  const { cells, planCells } = largeMatrix();
  const dir = scratch(t);
  const { results, plan } = await writeRun(dir, cells, { planCells });
  const m = buildMatrix(results, plan);
  t.equal(m.cells.length, planCells.length);
  for (const c of cells) {
    const id = `${c.guest}@${c.hypervisor}`;
    const mine = results.filter((r) => r.cell === id);
    const cell = cellAt(m, c.guest, c.hypervisor)!;
    for (const s of ['pass', 'fail', 'skip', 'error'] as const) t.equal(cell.counts[s], mine.filter((r) => r.state === s).length, `${id} ${s}`);
    t.equal(cell.worst, worst(mine.map((r) => r.state)));
    t.equal(cell.notRun, 0);
  }
  t.same(new Set(m.cells.map((c) => c.worst)), new Set(['pass', 'fail', 'error', null]), 'the fixture shows every colour, and a cell with nothing');
});

t.test('Markdown summary: the matrix, escaped, and the regressions', async (t) => {
  const dir = scratch(t);
  const { cells, planCells } = largeMatrix();
  await writeRun(dir, cells, { planCells });
  const run = await readRun(dir);
  const md = renderMarkdownSummary(run);
  const m = buildMatrix(run.results, run.plan);
  const header = `| guest \\ hypervisor | ${m.hypervisors.join(' | ')} |`;
  t.match(md, header);
  const rows = md.split('\n').filter((l) => /^\| \*\*/.test(l));
  t.equal(rows.length, m.guests.length, 'one row per guest');
  const q = cellAt(m, 'openbsd-7.8', 'qemu')!;
  const expected = (['pass', 'fail', 'skip', 'error'] as const).filter((s) => q.counts[s] > 0).map((s) => `${s[0].toUpperCase()} ${q.counts[s]}`).join(' · ');
  t.match(rows[1], expected, 'openbsd-7.8 on qemu: its counts');
  t.match(md, '⏳ no results (13 not run)');
  t.notMatch(md, /<script|<img/, 'no raw HTML from messages');
  t.match(md, /&lt;\/script&gt;/);
  t.match(md, new RegExp(`### Failures: ${run.results.filter((r) => r.state === 'fail').length}`));

  const baseline = run.results.map((r) => ({ ...r, state: 'pass' as const }));
  const c = classify(baseline, run.results);
  const withCmp = renderMarkdownSummary(run, c);
  t.match(withCmp, new RegExp(`#### Regressions \\(passed in the baseline, fail now\\): ${c.counts.regression}`));
  const many = Array.from({ length: 60 }, (_, i) => result('g@h', `virtio.4/c${i}`, 'fail'));
  const capped = renderMarkdownSummary({ ...run, results: many }, classify(many.map((r) => ({ ...r, state: 'pass' as const })), many));
  t.match(capped, '#### Regressions (passed in the baseline, fail now): 60');
  t.equal(capped.split('\n').filter((l) => l.startsWith('| `g@h`')).length, 50, 'long lists are capped at 50 rows');
  t.match(capped, '… and 10 more regression; see report.html.');
  t.match(withCmp, '| `openbsd-7.8@qemu` | `virtio.4/scsi` | pass → fail | vioscsi0: &lt;/script&gt;');

  const pipes = renderMarkdownSummary({ ...run, results: [result('a@b', 'x/y', 'fail', { message: 'a | b\nc' })], plan: null });
  t.match(pipes, '| F fail | `a@b` | `x/y` | a \\| b c |', 'a pipe or a newline cannot break the table');
});

t.test('reading run files: damaged lines are named, a torn last line is a warning', async (t) => {
  const dir = scratch(t);
  await writeRun(dir, [{ guest: 'g', hypervisor: 'h', states: { 'virtio.4/x': 'pass' } }]);
  appendFileSync(join(dir, 'results.jsonl'), '{"v":1,"run":"r","pla');
  const torn = await readRun(dir);
  t.equal(torn.results.length, 2);
  t.match(torn.warnings[0], /results\.jsonl:3: last line is incomplete/);
  writeFileSync(join(dir, 'results.jsonl'), JSON.stringify({ ...result('g@h', 'x/y', 'pass'), state: 'maybe' }) + '\n');
  await t.rejects(readRun(dir), { constructor: UsageError, message: /results\.jsonl:1: field state: .*Fix: give a results\.jsonl written by pvconform run/ });
  writeFileSync(join(dir, 'results.jsonl'), 'not json\n');
  await t.rejects(readRun(dir), { message: /results\.jsonl:1: not a JSON line/ });
  writeFileSync(join(dir, 'results.jsonl'), '');
  writeFileSync(join(dir, 'plan.json'), '{"v":1}');
  await t.rejects(readRun(dir), { message: /plan\.json: field plan: .*Fix: give the plan file written by pvconform/ });
  rmSync(join(dir, 'plan.json'));
  rmSync(join(dir, 'run.json'));
  const bare = await readRun(dir);
  t.equal(bare.plan, null);
  t.equal(bare.summary, null);
  await t.rejects(readRun(join(dir, 'nope')), { message: /nope: no such run directory or results file/ });
});

t.test('citations are found in the pages as received', async (t) => {
  const page = (f: string) => readFileSync(join(SHARED_MAN, f), 'utf8');
  const found = (f: string, s: string) => {
    const span = locateCitation(page(f), s);
    return span && page(f).slice(span[0], span[1]);
  };
  // Numbered lines (virtio), flattened (hyperv), rendered text (pvbus), flattened and numbered (xenbus).
  t.match(found('virtio.4.netbsd.txt', 'virtio driver ... supports the following devices: vioscsi(4) A SCSI adapter.'), /^51\.Nm\n52driver itself[^]*vioscsi 4\n\d+A SCSI adapter\.$/);
  t.equal(found('hyperv.4.openbsd.txt', 'Generation 2 Virtual Machines are currently not supported.'), 'Generation 2 Virtual Machines are currently not supported.');
  t.match(found('hyperv.4.openbsd.txt', 'All keys are associated to one of several key pools: Auto, Guest, External or Guest/Parameters.'), /^All keys .*\.Em Guest\/Parameters$/);
  t.match(found('pvbus.4.openbsd.txt', 'It provides a pseudo-bus for all paravirtual devices that do not attach to a well-known bus like pci(4).'), /^It provides .* pci\(4\)\.$/);
  t.ok(found('xenbus.4.netbsd.txt', 'The xenbus driver'), 'the flattened, numbered copy');
  t.equal(found('virtio.4.netbsd.txt', 'A Disk device is missing'), null, 'a sentence not in the page is not found');
  t.equal(found('hyperv.4.openbsd.txt', 'Generation 1 Virtual Machines are currently not supported.'), null);
  // Every manual citation of every suite can be shown in its page.
  for (const c of await allChecks())
    if (c.citation.kind === 'man') t.ok(found(c.citation.file.replace(/^man\//, ''), c.citation.sentence), `${c.id}: "${c.citation.sentence}" found in ${c.citation.file}`);
});
