// report.html in a real headless Chromium (Debian's chromium, driven by playwright-core): it
// loads offline with no console errors, the matrix shows the counts of the results file, a click
// opens a cell, the filters work, and a citation opens in its page. Run against (a) a larger
// generated matrix with all four states and (b) a real run of the Linux reference guest.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { writeFile } from 'node:fs/promises';
import { writeHtmlReport } from '../../harness/reports/html/write.ts';
import { compareRunToBaseline } from '../../harness/reports/compare/baseline.ts';
import { readRun } from '../../harness/run-dir/read.ts';
import { worst, type CheckResult, type State } from '../../harness/core/results.ts';
import { largeMatrix, writeRun } from './fixture-run.ts';
import { pvconform, scratch } from '../helpers/cli.ts';
import { browser, open } from './browser.ts';

const STATES: State[] = ['pass', 'fail', 'skip', 'error'];
const LETTER: Record<State, string> = { pass: 'P', fail: 'F', skip: 'S', error: 'E' };

t.setTimeout(300_000);

const countsOf = (rs: CheckResult[]) => Object.fromEntries(STATES.map((s) => [s, rs.filter((r) => r.state === s).length])) as Record<State, number>;

/** What a cell of the matrix should say for these results: the non-zero counts, worst first letter. */
function expectedCell(rs: CheckResult[]): { counts: string[]; worst: string } {
  const c = countsOf(rs);
  return { counts: STATES.filter((s) => c[s] > 0).map((s) => `${LETTER[s]} ${c[s]}`), worst: worst(rs.map((r) => r.state)) ?? 'none' };
}

async function cellShows(page: Page, id: string): Promise<{ counts: string[]; worst: string | null; text: string }> {
  const cell = page.locator(`#matrix [data-cell="${id}"]`);
  return {
    counts: await cell.locator('.count').allTextContents(),
    worst: await cell.getAttribute('data-worst'),
    text: (await cell.textContent()) ?? '',
  };
}

async function matrixMatches(t: Test, page: Page, results: CheckResult[], cellIds: string[], label: string) {
  for (const id of cellIds) {
    const want = expectedCell(results.filter((r) => r.cell === id));
    const shown = await cellShows(page, id);
    t.same(shown.counts, want.counts, `${label}: ${id} shows ${want.counts.join(' · ') || 'nothing'}`);
    t.equal(shown.worst, want.worst, `${label}: ${id} is marked ${want.worst}`);
  }
}

async function detailsRows(page: Page): Promise<{ check: string | null; state: string | null }[]> {
  const rows = page.locator('#details tbody tr');
  const out = [];
  for (let i = 0; i < (await rows.count()); i++)
    out.push({ check: await rows.nth(i).getAttribute('data-check'), state: await rows.nth(i).getAttribute('data-state') });
  return out;
}

async function clickOpensCell(t: Test, page: Page, id: string, results: CheckResult[]) {
  await page.click(`#matrix [data-cell="${id}"]`);
  t.match(await page.locator('#details h2').textContent(), id, `a click on ${id} opens it`);
  const mine = results.filter((r) => r.cell === id);
  t.same(await detailsRows(page), mine.map((r) => ({ check: r.check, state: r.state })), `${id}: every check with its state`);
  t.equal(await page.locator(`#matrix [data-cell="${id}"]`).getAttribute('aria-pressed'), 'true');
}

/** Every artifact link of the open cell points at a file of the run. */
async function artifactLinksResolve(t: Test, page: Page) {
  const hrefs = await page.locator('#details a[href^="artifacts/"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  t.ok(hrefs.length > 0, 'the cell links its artifacts');
  for (const h of new Set(hrefs)) t.ok(existsSync(fileURLToPath(h)), `artifact link ${h.replace(/^.*\/artifacts\//, 'artifacts/')} resolves`);
}

/** Opens the first manual citation of the open cell and returns the highlighted text. */
async function citedSentenceShown(page: Page): Promise<string | null> {
  await page.locator('#details button.linkish').first().click();
  await page.waitForSelector('#page-dialog[open]');
  const mark = page.locator('#page-dialog mark');
  const text = (await mark.count()) ? await mark.textContent() : null;
  await page.locator('#page-dialog button', { hasText: 'Close' }).click();
  return text;
}

t.test('(a) a larger generated matrix with all four states', async (t) => {
  const ctx = await browser(t);
  if (!ctx) return;
  const dir = scratch(t);
  const { cells, planCells } = largeMatrix();
  await writeRun(dir, cells, { planCells });
  await writeHtmlReport(dir);
  const { results } = await readRun(dir);
  t.same(new Set(results.map((r) => r.state)), new Set(STATES), 'the fixture has all four states');
  const ids = planCells.map((c) => `${c.guest}@${c.hypervisor}`);
  const { page, problems } = await open(ctx, dir);

  t.equal(await page.locator('#matrix tbody tr').count(), 3, 'one row per guest');
  t.same(await page.locator('#matrix thead th').allTextContents(), ['guest \\ hypervisor', 'qemu', 'qemu-tcg', 'xen-pvh', 'hyperv-gen2']);
  await matrixMatches(t, page, results, ids, 'all');
  const total = countsOf(results);
  for (const s of STATES) t.match(await page.locator(`#totals [data-state="${s}"]`).textContent(), `${s} ${total[s]}`, `total ${s}`);
  t.match((await cellShows(page, 'linux-ref@hyperv-gen2')).text, /no results.*13 planned, not run/, 'the planned cell that did not run says so');

  await clickOpensCell(t, page, 'openbsd-7.8@qemu', results);
  await artifactLinksResolve(t, page);
  const hostile = results.find((r) => r.cell === 'openbsd-7.8@qemu' && r.check === 'virtio.4/scsi')!;
  t.equal(await page.locator('#details tr[data-check="virtio.4/scsi"] td.msg').textContent(), hostile.message, 'a message with markup is shown as text');
  t.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'and never runs');
  t.match(await page.locator('#details tr[data-check="hyperv.4/attach"] td:nth-child(4)').textContent(), 'hyperv(4): Generation 2 Virtual Machines are currently not supported.', 'the manual sentence beside the check');
  await page.click('#details tr[data-check="hyperv.4/attach"] button.linkish');
  t.equal(await page.locator('#page-dialog mark').textContent(), 'Generation 2 Virtual Machines are currently not supported.', 'the page text opens at the cited sentence');
  await page.locator('#page-dialog button', { hasText: 'Close' }).click();

  // Filters: a suite, then a state; the matrix and the open cell follow.
  await page.selectOption('#filter-suite', 'hyperv.4');
  await matrixMatches(t, page, results.filter((r) => r.suite === 'hyperv.4'), ids, 'suite hyperv.4');
  t.ok((await detailsRows(page)).every((r) => r.check?.startsWith('hyperv.4/')), 'the open cell shows hyperv.4 checks only');
  await page.selectOption('#filter-suite', '');
  await page.uncheck('#filter-state-pass');
  await matrixMatches(t, page, results.filter((r) => r.state !== 'pass'), ids, 'without pass');
  t.equal(await page.locator('#matrix .count[data-state="pass"]').count(), 0, 'no pass counted');
  t.notOk((await detailsRows(page)).some((r) => r.state === 'pass'), 'no pass row');
  await page.check('#filter-state-pass');
  await matrixMatches(t, page, results, ids, 'all again');

  // Printing shows every cell's checks and hides the controls.
  await page.emulateMedia({ media: 'print' });
  t.equal(await page.locator('#print-all > section').count(), ids.length, 'print: every cell');
  t.notOk(await page.locator('#filters').isVisible(), 'print: no filters');
  await page.emulateMedia({ media: 'screen' });
  if (process.env.PVCONFORM_SCREENSHOT) await page.screenshot({ path: process.env.PVCONFORM_SCREENSHOT, fullPage: true });
  await page.close();

  // A link to a cell opens it.
  const linked = await open(ctx, dir, '#cell=netbsd-10.1%40hyperv-gen2');
  t.match(await linked.page.locator('#details h2').textContent(), 'netbsd-10.1@hyperv-gen2', '#cell=... opens that cell');
  await linked.page.close();
  t.same([...problems, ...linked.problems], [], 'no console errors, page errors or failed requests');
});

t.test('(a) the same matrix judged against a baseline', async (t) => {
  const ctx = await browser(t);
  if (!ctx) return;
  const dir = scratch(t);
  const { cells, planCells } = largeMatrix();
  const { results } = await writeRun(join(dir, 'new'), cells, { planCells });
  // The baseline passed everything the new run has: each new failure is a regression.
  await writeFile(join(dir, 'baseline.jsonl'), results.map((r) => JSON.stringify({ ...r, state: 'pass' }) + '\n').join(''));
  const comparison = await compareRunToBaseline(join(dir, 'new'), join(dir, 'baseline.jsonl'));
  await writeHtmlReport(join(dir, 'new'));
  const { page, problems } = await open(ctx, join(dir, 'new'));
  const regressions = comparison.entries.filter((e) => e.class === 'regression');
  t.equal(regressions.length, results.filter((r) => r.state === 'fail').length);
  t.match(await page.locator('#comparison-summary').textContent(), `regression ${regressions.length}`);
  await page.selectOption('#filter-class', 'regression');
  const regressed = results.filter((r) => regressions.some((e) => e.cell === r.cell && e.check === r.check));
  await matrixMatches(t, page, regressed, planCells.map((c) => `${c.guest}@${c.hypervisor}`), 'regressions only');
  await page.click('#matrix [data-cell="openbsd-7.8@qemu"]');
  const rows = page.locator('#details tbody tr td.cls');
  t.ok((await rows.count()) > 0, 'the open cell lists its regressions');
  for (const text of await rows.allTextContents()) t.equal(text, 'regression (was pass)');
  await page.close();
  t.same(problems, [], 'no console errors, page errors or failed requests');
});

const runHelp = await pvconform(['run', '--help']);
const noRun = runHelp.exitCode !== 0 && `pvconform run is not available here (exit ${runHelp.exitCode}): ${runHelp.all.split('\n')[0]}`;

t.test('(b) a real run of the Linux reference guest', { skip: noRun }, async (t) => {
  const ctx = await browser(t);
  if (!ctx) return;
  const out = join(scratch(t), 'run');
  const run = await pvconform(['run', '--out', out]);
  t.ok(existsSync(join(out, 'run.json')), `the run finished (exit ${run.exitCode})`);
  const { results, plan } = await readRun(out);
  t.ok(results.length > 1, `${results.length} results`);
  t.ok(results.some((r) => r.citation?.kind === 'man'), 'with manual citations');
  const report = await pvconform(['report', out, '--summary-md', join(out, 'summary.md')]);
  t.equal(report.exitCode, 0, `pvconform report (${report.all})`);
  const { page, problems } = await open(ctx, out);
  const ids = plan!.cells.map((c) => c.id);
  await matrixMatches(t, page, results, ids, 'real run');
  await clickOpensCell(t, page, ids[0], results);
  await artifactLinksResolve(t, page);
  const manRow = results.find((r) => r.cell === ids[0] && r.citation?.kind === 'man')!;
  t.ok(await citedSentenceShown(page), `the citation of ${manRow.check} is found and highlighted in its page`);
  await page.selectOption('#filter-suite', 'boot');
  t.same(await detailsRows(page), results.filter((r) => r.cell === ids[0] && r.suite === 'boot').map((r) => ({ check: r.check, state: r.state })), 'suite filter: boot only');
  await page.close();
  t.same(problems, [], 'no console errors, page errors or failed requests');
});
