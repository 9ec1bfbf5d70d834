// The report's opening grid in a real headless Chromium, with a 3-cell, 2-run history: one row
// per check grouped by manual page, one column per cell, the right mark in each square, the
// strip of past states, the filters by state, suite, guest and hypervisor, the citation on hover
// and expand, and the manual panel's coverage. A screenshot is kept in reports/test-output/.
import t from 'tap';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { writeHtmlReport } from '../../harness/reports/html/write.ts';
import { openHistory } from '../../harness/history/open.ts';
import { runRecordFromDir } from '../../harness/history/from-run-dir.ts';
import type { State } from '../../harness/core/results.ts';
import { scratch } from '../helpers/cli.ts';
import { writeDayRun } from '../history/history-fixture.ts';
import { VIRTIO_CITATION, type FixtureCell } from './fixture-run.ts';
import { browser, open } from './browser.ts';

t.setTimeout(180_000);

if (VIRTIO_CITATION.kind !== 'man') throw new Error('the fixture citation is a manual page sentence');
const CITED = VIRTIO_CITATION;
const LETTER: Record<State, string> = { pass: 'P', fail: 'F', skip: 'S', error: 'E' };
const SCREENSHOT = resolve(import.meta.dirname, '..', '..', 'reports', 'test-output', 'report-grid.png');

const CHECKS = ['virtio.4/net', 'virtio.4/blk', 'virtio.4/rng', 'hyperv.4/attach', 'hyperv.4/kvp-auto'];
function cells(states: Record<string, State[]>): FixtureCell[] {
  return [['linux-ref', 'qemu'], ['linux-ref', 'xen-pvh'], ['openbsd-7.8', 'qemu']].map(([guest, hypervisor], i) => ({
    guest,
    hypervisor,
    states: Object.fromEntries(CHECKS.map((c) => [c, states[c][i]])),
  }));
}
// Run 1, then run 2: net breaks on xen-pvh, blk is flaky on linux-ref@qemu, kvp-auto errors on openbsd.
const RUN1 = cells({ 'virtio.4/net': ['pass', 'pass', 'pass'], 'virtio.4/blk': ['pass', 'pass', 'pass'], 'virtio.4/rng': ['pass', 'skip', 'pass'], 'hyperv.4/attach': ['skip', 'skip', 'pass'], 'hyperv.4/kvp-auto': ['skip', 'skip', 'pass'] });
const RUN2 = cells({ 'virtio.4/net': ['pass', 'fail', 'pass'], 'virtio.4/blk': ['fail', 'pass', 'pass'], 'virtio.4/rng': ['pass', 'skip', 'pass'], 'hyperv.4/attach': ['skip', 'skip', 'pass'], 'hyperv.4/kvp-auto': ['skip', 'skip', 'error'] });

async function squares(page: Page): Promise<Record<string, { mark: string; strip: string | null; state: string | null; hidden: boolean }>> {
  return page.$$eval('#grid td.square', (tds) =>
    Object.fromEntries(
      tds.map((td) => [
        `${td.getAttribute('data-cell')}|${td.closest('tr')?.getAttribute('data-check')}`,
        { mark: td.querySelector('.mark')?.textContent ?? '', strip: td.querySelector('.strip')?.getAttribute('data-strip') ?? null, state: td.getAttribute('data-state'), hidden: td.hasAttribute('data-hidden') },
      ]),
    ),
  );
}
const rowChecks = (page: Page) => page.$$eval('#grid tbody tr[data-check]', (rows) => rows.map((r) => r.getAttribute('data-check')));
const columns = (page: Page) => page.$$eval('#grid thead th.cellhead', (ths) => ths.map((th) => th.getAttribute('data-cell')));

t.test('a 3-cell, 2-run history', async (t) => {
  const ctx = await browser(t);
  if (!ctx) return;
  const dir = scratch(t, 'pvconform-grid-');
  const history = join(dir, 'history.sqlite');
  const r1 = await writeDayRun(join(dir, 'r1'), 1, RUN1);
  const r2 = await writeDayRun(join(dir, 'r2'), 2, RUN2, [{ cell: 'linux-ref@qemu', check: 'virtio.4/blk', states: ['pass'] }]);
  const store = await openHistory(history);
  for (const r of [r1, r2]) await store.record(await runRecordFromDir(r.dir));
  await store.close();
  await writeHtmlReport(r2.dir, { history: { location: history } });

  const { page, problems } = await open(ctx, r2.dir);
  await page.setViewportSize({ width: 1500, height: 1000 });
  const cellIds = ['linux-ref@qemu', 'linux-ref@xen-pvh', 'openbsd-7.8@qemu'];
  t.same(await columns(page), cellIds, 'one column per cell, in plan order');
  t.same(await page.$$eval('#grid tr.group', (rs) => rs.map((r) => r.getAttribute('data-group'))), ['harness', 'virtio(4)', 'hyperv(4)'], 'rows grouped by manual page');
  t.same(await rowChecks(page), ['boot/ssh', ...CHECKS], 'one row per check');

  // Every square against the states written: this run's mark, and the strip run 1 then run 2.
  const shown = await squares(page);
  let checked = 0;
  for (const [i, cell] of cellIds.entries())
    for (const check of CHECKS) {
      const now = RUN2[i].states[check];
      const before = RUN1[i].states[check];
      const flaky = cell === 'linux-ref@qemu' && check === 'virtio.4/blk';
      const sq = shown[`${cell}|${check}`];
      t.equal(sq.mark, flaky ? 'P~' : LETTER[now], `${cell} ${check}: mark`);
      t.equal(sq.strip, LETTER[before] + (flaky ? 'f' : LETTER[now]), `${cell} ${check}: strip of the last two runs`);
      checked++;
    }
  t.equal(checked, 15, 'all 15 check squares compared');
  t.equal(shown['linux-ref@xen-pvh|virtio.4/net'].state, 'fail');
  t.equal(shown['openbsd-7.8@qemu|hyperv.4/kvp-auto'].state, 'error');

  // The citation: on hover (title), and expanded by a click.
  const net = page.locator('#grid tr[data-check="virtio.4/net"] button.expand');
  t.match(await net.getAttribute('title'), CITED.sentence, 'the citation is the check name\'s hover text');
  t.equal(await page.locator('#grid tr[data-why="virtio.4/net"]').isHidden(), true);
  await net.click();
  t.match(await page.locator('#grid tr[data-why="virtio.4/net"]').textContent(), CITED.sentence, 'a click expands the citation');

  // The manual panel: virtio(4)'s cited sentence marked, with its per-cell states on hover.
  const virtio = page.locator(`#manual-box section[data-file="${CITED.file}"]`);
  const covered = await virtio.locator('li.stmt.covered').count();
  const total = await virtio.locator('li.stmt').count();
  t.equal(covered, 1, 'one statement of virtio(4) is cited (every fixture check cites the same one)');
  t.ok(total > covered, `the rest (${total - covered}) are shown as not yet verified`);
  t.equal(await virtio.locator('.coverage').getAttribute('data-total'), String(total));
  t.match(await virtio.locator('li.stmt.covered').textContent(), /defines an interface for efficient, standard and extensible I\/O/);
  const hover = await virtio.locator('li.stmt.covered mark').getAttribute('title');
  t.match(hover, 'virtio.4/net  linux-ref@xen-pvh: fail', 'hover names each check and cell with its state');
  t.match(hover, 'virtio.4/blk  linux-ref@qemu: pass (flaky)');

  await mkdir(resolve(SCREENSHOT, '..'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  t.comment(`screenshot: ${SCREENSHOT}`);

  // Filters: state, suite, guest, hypervisor.
  await page.uncheck('#filter-state-pass');
  const noPass = await squares(page);
  t.ok(Object.values(noPass).every((s) => s.state !== 'pass' || s.hidden), 'with pass unticked, no pass square shows a mark');
  t.equal(noPass['linux-ref@xen-pvh|virtio.4/net'].mark, 'F', 'failures stay');
  t.notOk((await rowChecks(page)).includes('boot/ssh'), 'a row of passes only is hidden');
  await page.check('#filter-state-pass');
  await page.selectOption('#filter-suite', 'hyperv.4');
  t.same(await rowChecks(page), ['hyperv.4/attach', 'hyperv.4/kvp-auto'], 'suite filter: only hyperv.4 rows');
  await page.selectOption('#filter-suite', '');
  await page.selectOption('#filter-guest', 'openbsd-7.8');
  t.same(await columns(page), ['openbsd-7.8@qemu'], 'guest filter: one column');
  await page.selectOption('#filter-guest', '');
  await page.selectOption('#filter-hypervisor', 'qemu');
  t.same(await columns(page), ['linux-ref@qemu', 'openbsd-7.8@qemu'], 'hypervisor filter: the qemu columns');
  t.same(problems, [], 'no console errors');
});
