// pvconform report client: inlined into report.html. Renders the matrix, the filters and a cell's
// checks from the JSON embedded in the page. Every piece of result text goes in through
// textContent, never as markup.
'use strict';
(function () {
  const data = JSON.parse(document.getElementById('pvconform-data').textContent);
  const STATES = ['pass', 'fail', 'skip', 'error'];
  const LETTER = { pass: 'P', fail: 'F', skip: 'S', error: 'E' };
  const RANK = { error: 3, fail: 2, pass: 1, skip: 0 };
  const filters = { suite: '', guest: '', hypervisor: '', states: { pass: true, fail: true, skip: true, error: true }, cls: '' };
  const FLAKY = new Set(data.flaky || []);
  let selected = null;

  function el(tag, props, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'className') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children || []) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function stateBadge(state, withWord) {
    return el('span', { className: 'badge st-' + state, title: state, 'data-state': state }, [
      el('span', { className: 'letter', text: LETTER[state] }),
      withWord ? ' ' + state : null,
    ]);
  }

  function worstOf(counts) {
    let w = null;
    for (const s of STATES) if (counts[s] > 0 && (w === null || RANK[s] > RANK[w])) w = s;
    return w;
  }

  function comparisonOf(r) {
    return data.comparison ? data.comparison.byKey[r.cell + '|' + r.check] || null : null;
  }

  function visible(r) {
    if (filters.suite && r.suite !== filters.suite) return false;
    if (!filters.states[r.state]) return false;
    if (filters.cls) {
      const c = comparisonOf(r);
      if (!c || c.class !== filters.cls) return false;
    }
    return true;
  }

  function resultsOf(cellId, onlyVisible) {
    return data.results.filter((r) => r.cell === cellId && (!onlyVisible || visible(r)));
  }

  function countsOf(rows) {
    const counts = { pass: 0, fail: 0, skip: 0, error: 0 };
    for (const r of rows) counts[r.state]++;
    return counts;
  }

  function duration(ms) {
    return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s';
  }

  // Artifact paths are relative to the run directory, where report.html lives. Anything else
  // (absolute, a scheme, "..") is shown as text, not linked.
  function safeHref(path) {
    if (typeof path !== 'string' || path === '' || path.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(path)) return null;
    const parts = path.split('/');
    if (parts.some((p) => p === '..' || p === '')) return null;
    return parts.map(encodeURIComponent).join('/');
  }

  function artifactLink(label, path) {
    const href = safeHref(path);
    return href ? el('a', { href, text: label, title: path }) : el('span', { text: label + ' (' + path + ')' });
  }

  // ---- header ----
  function renderHeader() {
    const run = data.run;
    const meta = el('p', { className: 'meta' }, [
      run.id ? el('span', { text: 'run ' + run.id }) : null,
      run.plan ? el('span', { text: 'plan ' + run.plan }) : null,
      run.source ? el('span', { text: 'config ' + run.source }) : null,
      run.shard ? el('span', { text: 'shard ' + run.shard.index + '/' + run.shard.count }) : null,
      run.startedAt ? el('span', { text: 'started ' + run.startedAt }) : null,
      run.finishedAt ? el('span', { text: 'finished ' + run.finishedAt }) : el('span', { text: 'unfinished (no run.json)' }),
      run.exitCode !== null ? el('span', { text: 'exit ' + run.exitCode }) : null,
    ]);
    const totals = countsOf(data.results);
    const badges = el('div', { className: 'totals', id: 'totals' }, STATES.map((s) =>
      el('span', { className: 'badge st-' + s, 'data-state': s }, [el('span', { className: 'letter', text: LETTER[s] }), ' ' + s + ' ' + totals[s]])));
    const header = document.getElementById('header');
    header.append(el('h1', { text: data.title }), meta, badges);
    if (data.comparison) {
      const c = data.comparison;
      header.append(el('p', { className: 'meta', id: 'comparison-summary' }, [
        'Against baseline ' + c.baseline + ': ',
        ...c.order.filter((k) => c.counts[k] > 0).map((k) => el('span', { className: 'cls cls-' + k, text: c.labels[k] + ' ' + c.counts[k] })),
      ]));
    }
    for (const w of data.warnings) header.append(el('p', { className: 'warning', text: w }));
  }

  // ---- filters ----
  function renderFilters() {
    const box = document.getElementById('filters');
    const suite = el('select', { id: 'filter-suite', onchange: (e) => { filters.suite = e.target.value; refresh(); } }, [
      el('option', { value: '', text: 'all suites' }),
      ...data.suites.map((s) => el('option', { value: s, text: s })),
    ]);
    box.append(el('fieldset', {}, [el('legend', { text: 'Suite' }), suite]));
    const pick = (id, label, all, values, key) => el('fieldset', {}, [el('legend', { text: label }), el('select', { id, onchange: (e) => { filters[key] = e.target.value; refresh(); } }, [
      el('option', { value: '', text: all }), ...values.map((v) => el('option', { value: v, text: v })),
    ])]);
    box.append(pick('filter-guest', 'Guest', 'all guests', data.guests, 'guest'));
    box.append(pick('filter-hypervisor', 'Hypervisor', 'all hypervisors', data.hypervisors, 'hypervisor'));
    box.append(el('fieldset', { id: 'filter-states' }, [
      el('legend', { text: 'State' }),
      ...STATES.map((s) => {
        const cb = el('input', { type: 'checkbox', value: s, id: 'filter-state-' + s, onchange: (e) => { filters.states[s] = e.target.checked; refresh(); } });
        cb.checked = true;
        return el('label', {}, [cb, ' ', stateBadge(s, true)]);
      }),
    ]));
    if (data.comparison) {
      const c = data.comparison;
      box.append(el('fieldset', {}, [el('legend', { text: 'Change' }), el('select', { id: 'filter-class', onchange: (e) => { filters.cls = e.target.value; refresh(); } }, [
        el('option', { value: '', text: 'all' }),
        ...c.order.filter((k) => c.counts[k] > 0).map((k) => el('option', { value: k, text: c.labels[k] })),
      ])]));
    }
  }


  // ---- the grid: one row per check (grouped by manual page), one column per cell ----
  function cellShown(cell) {
    return (!filters.guest || cell.guest === filters.guest) && (!filters.hypervisor || cell.hypervisor === filters.hypervisor);
  }

  function groupOf(r) {
    const c = r.citation;
    if (!c) return 'harness';
    return c.kind === 'man' ? c.page : 'source facts (the page is silent)';
  }

  function citationText(c) {
    if (!c) return 'no citation';
    return c.kind === 'man' ? c.page + ': \u201c' + c.sentence + '\u201d' : 'source: ' + c.fact + ' (' + c.where + ')';
  }

  function strip(key) {
    const s = data.strips && data.strips[key];
    if (!s || !s.length) return null;
    return el('span', { className: 'strip', 'data-strip': s.map((x) => x.flaky ? 'f' : LETTER[x.state]).join(''), title: 'last ' + s.length + ' runs, oldest first' },
      s.map((x) => el('span', { className: 'tick st-' + x.state + (x.flaky ? ' flaky' : ''), title: x.run + ': ' + x.state + (x.flaky ? ' (flaky)' : '') })));
  }

  function square(cell, r) {
    if (!r) return el('td', { className: 'square absent', 'data-cell': cell.id, 'data-state': 'none', title: cell.id + ': not run' }, [el('span', { className: 'mark', text: '\u00b7' })]);
    const key = r.cell + '|' + r.check;
    const flaky = FLAKY.has(key);
    if (!visible(r)) return el('td', { className: 'square filtered', 'data-cell': cell.id, 'data-check': r.check, 'data-state': r.state, 'data-hidden': 'true' });
    return el('td', {
      className: 'square st-' + r.state + (flaky ? ' flaky' : ''), 'data-cell': cell.id, 'data-check': r.check, 'data-state': r.state, 'data-flaky': flaky ? 'true' : null,
      title: cell.id + '  ' + r.check + ': ' + r.state + (flaky ? ' (flaky: failed, then passed on a retry)' : '') + '\n' + r.message.split('\n')[0],
      onclick: () => select(cell.id),
    }, [el('span', { className: 'mark letter', text: LETTER[r.state] + (flaky ? '~' : '') }), strip(key)]);
  }

  function renderGrid() {
    const cells = data.cells.filter(cellShown);
    const byKey = new Map(data.results.map((r) => [r.cell + '|' + r.check, r]));
    const groups = new Map();
    for (const r of data.results) {
      if (filters.suite && r.suite !== filters.suite) continue;
      const g = groupOf(r);
      if (!groups.has(g)) groups.set(g, new Map());
      if (!groups.get(g).has(r.check)) groups.get(g).set(r.check, r);
    }
    const head = el('tr', {}, [el('th', { scope: 'col', className: 'corner', text: 'check \\ cell' }),
      ...cells.map((c) => el('th', { scope: 'col', className: 'cellhead', 'data-cell': c.id }, [el('span', { text: c.guest }), el('br'), el('span', { className: 'hv', text: '@' + c.hypervisor })]))]);
    const body = [];
    for (const [g, checks] of groups) {
      const rows = [];
      for (const [check, sample] of checks) {
        const squares = cells.map((c) => square(c, byKey.get(c.id + '|' + check)));
        if (!squares.some((sq) => sq.getAttribute('data-state') !== 'none' && !sq.hasAttribute('data-hidden'))) continue;
        const why = el('tr', { className: 'why', hidden: 'hidden', 'data-why': check }, [el('td', { colspan: String(cells.length + 1) }, [citationOf(sample)])]);
        const toggle = el('button', { type: 'button', className: 'linkish expand no-print', 'aria-expanded': 'false', title: citationText(sample.citation), text: check,
          onclick: (e) => { const open = why.hidden; why.hidden = !open; e.target.setAttribute('aria-expanded', String(open)); } });
        rows.push(el('tr', { 'data-check': check, 'data-suite': sample.suite }, [el('th', { scope: 'row', className: 'checkname' }, [toggle]), ...squares]), why);
      }
      if (!rows.length) continue;
      const cov = (data.manual || []).find((m) => m.page === g);
      body.push(el('tr', { className: 'group', 'data-group': g }, [el('th', { colspan: String(cells.length + 1) }, [
        g, cov ? el('span', { className: 'cov', text: '  ' + cov.covered + ' of ' + cov.total + ' statements verified' }) : null])]), ...rows);
    }
    const table = el('table', { className: 'grid', id: 'grid' }, [el('thead', {}, [head]), el('tbody', {}, body)]);
    const box = document.getElementById('grid-box');
    box.replaceChildren(body.length ? table : el('p', { className: 'meta', id: 'grid-empty', text: 'No result matches the filters.' }));
    if (body.length) box.prepend(el('p', { className: 'meta legend' }, ['Marks: P pass, F fail, S skip, E error, ~ flaky (failed, then passed on a retry).',
      data.strips ? ' The strip under a mark is the check\u2019s last runs in that cell, oldest first.' : '', ' Hover a check for its citation; click it to expand.']));
  }

  // ---- the manual, covered ----
  function statementTitle(s) {
    const lines = [];
    for (const check of s.checks)
      for (const c of data.cells) {
        const r = data.results.find((x) => x.cell === c.id && x.check === check);
        if (r) lines.push(check + '  ' + c.id + ': ' + r.state + (FLAKY.has(c.id + '|' + check) ? ' (flaky)' : ''));
      }
    return lines.join('\n');
  }

  function renderManual() {
    const box = document.getElementById('manual-box');
    if (!data.manual || !data.manual.length) { box.replaceChildren(); return; }
    box.replaceChildren(el('h2', { text: 'The manual, covered' }), ...data.manual.map((m) => {
      const pct = m.total ? Math.round((100 * m.covered) / m.total) : 0;
      return el('section', { className: 'manual-page', 'data-file': m.file }, [
        el('h3', { text: m.page }),
        el('p', { className: 'coverage', 'data-covered': String(m.covered), 'data-total': String(m.total), text: m.covered + ' of ' + m.total + ' statements verified by a check (' + pct + '%); ' + (m.total - m.covered) + ' not yet' }),
        el('ol', { className: 'statements' }, m.statements.map((s) => {
          if (!s.checks.length) return el('li', { className: 'stmt uncovered', title: 'no check verifies this yet' }, [s.text]);
          const states = data.cells.map((c) => {
            const rs = s.checks.map((k) => data.results.find((x) => x.cell === c.id && x.check === k)).filter(Boolean);
            return rs.length ? worstOf(countsOf(rs)) : null;
          });
          return el('li', { className: 'stmt covered', 'data-checks': s.checks.join(' ') }, [
            el('mark', { title: statementTitle(s), text: s.text }),
            el('span', { className: 'percell' }, data.cells.map((c, i) => states[i] ? el('span', { className: 'tick st-' + states[i], title: c.id + ': ' + states[i] }) : null)),
          ]);
        })),
        m.unplaced.length ? el('p', { className: 'meta', text: m.unplaced.length + ' cited sentence(s) not found in this copy of the page' }) : null,
      ]);
    }));
  }

  // ---- matrix ----
  function cellButton(cell) {
    const rows = resultsOf(cell.id, true);
    const counts = countsOf(rows);
    const w = worstOf(counts);
    const parts = STATES.filter((s) => counts[s] > 0).map((s) => el('span', { className: 'count', 'data-state': s, text: LETTER[s] + ' ' + counts[s] }));
    const spaced = [];
    parts.forEach((p, i) => { if (i > 0) spaced.push(' · '); spaced.push(p); });
    const notes = [];
    if (rows.length === 0) notes.push(resultsOf(cell.id, false).length === 0 ? 'no results' : 'nothing matches the filters');
    if (cell.notRun > 0) notes.push(cell.notRun + ' planned, not run');
    return el('button', {
      type: 'button', className: 'cell st-' + (w || 'none'), 'data-cell': cell.id, 'data-worst': w || 'none',
      'aria-pressed': String(selected === cell.id), title: cell.id + ': worst state ' + (w || 'none'),
      onclick: () => select(cell.id),
    }, [
      el('span', { className: 'big letter', text: w ? LETTER[w] : '–' }),
      el('span', { className: 'counts' }, spaced),
      ...notes.map((n) => el('span', { className: 'note', text: n })),
    ]);
  }

  function renderMatrix() {
    const head = el('tr', {}, [el('th', { scope: 'col', text: 'guest \\ hypervisor' }), ...data.hypervisors.map((h) => el('th', { scope: 'col', text: h }))]);
    const body = data.guests.map((g) => el('tr', {}, [
      el('th', { scope: 'row', text: g }),
      ...data.hypervisors.map((h) => {
        const cell = data.cells.find((c) => c.guest === g && c.hypervisor === h);
        return cell ? el('td', {}, [cellButton(cell)]) : el('td', { className: 'empty', text: 'not in plan' });
      }),
    ]));
    const table = el('table', { className: 'matrix', id: 'matrix' }, [el('thead', {}, [head]), el('tbody', {}, body)]);
    document.getElementById('matrix-box').replaceChildren(table);
  }

  // ---- a cell's checks ----
  function citationOf(r) {
    const c = r.citation;
    if (!c) return el('span', { className: 'files', text: '—' });
    if (c.kind === 'source')
      return el('span', {}, [el('span', { className: 'cite-page', text: 'source: ' }), el('span', { className: 'cite', text: c.fact }), ' (' + c.where + ')']);
    const page = data.pages[c.file];
    return el('span', {}, [
      el('span', { className: 'cite-page', text: c.page + ': ' }),
      el('q', { className: 'cite', text: c.sentence }),
      ' ',
      page
        ? el('button', { type: 'button', className: 'linkish no-print', text: 'page text', onclick: () => showPage(c.file, c.sentence) })
        : el('span', { className: 'files', text: '(' + c.file + ')' }),
    ]);
  }

  function checksTable(rows) {
    const cmp = !!data.comparison;
    const head = el('tr', {}, ['State', 'Check', 'Message', 'Manual', 'Duration', 'Artifacts', cmp ? 'Change' : null]
      .filter((h) => h !== null).map((h) => el('th', { scope: 'col', text: h })));
    const body = rows.map((r) => {
      const c = comparisonOf(r);
      return el('tr', { 'data-check': r.check, 'data-state': r.state }, [
        el('td', { className: 'state' }, [stateBadge(r.state, true)]),
        el('td', { text: r.check }),
        el('td', { className: 'msg', text: r.message }),
        el('td', {}, [citationOf(r)]),
        el('td', { className: 'num', text: duration(r.durationMs) }),
        el('td', {}, [r.artifacts.length ? el('ul', {}, r.artifacts.map((a) => el('li', {}, [artifactLink(a.kind, a.path)]))) : '—']),
        cmp ? el('td', { className: 'cls' + (c ? ' cls-' + c.class : '') }, c ? [
          c.label + (c.before && c.before !== r.state ? ' (was ' + c.before + ')' : ''),
          c.expectation ? el('span', {}, [': ' + c.expectation.reason + ' ', /^https?:\/\//.test(c.expectation.link) ? el('a', { href: c.expectation.link, text: 'link' }) : c.expectation.link]) : null,
        ] : ['—']) : null,
      ]);
    });
    return el('table', { className: 'checks' }, [el('thead', {}, [head]), el('tbody', {}, body)]);
  }

  function cellSection(cell, rows, idPrefix) {
    const linked = new Set(data.results.filter((r) => r.cell === cell.id).flatMap((r) => r.artifacts.map((a) => a.path)));
    const extra = (cell.files || []).filter((f) => !linked.has(f));
    return el('section', { id: idPrefix + cell.id }, [
      el('h2', { text: cell.id + ' — ' + rows.length + ' of ' + resultsOf(cell.id, false).length + ' results shown' }),
      rows.length ? checksTable(rows) : el('p', { text: 'No results of this cell match the filters.' }),
      extra.length ? el('p', { className: 'files' }, ['Other files: ', ...extra.flatMap((f, i) => [i ? ', ' : '', artifactLink(f.split('/').pop(), f)])]) : null,
    ]);
  }

  function renderDetails() {
    const box = document.getElementById('details');
    const cell = data.cells.find((c) => c.id === selected);
    if (!cell) {
      box.replaceChildren(el('p', { className: 'meta', text: 'Click a cell of the matrix to see its checks.' }));
      return;
    }
    box.replaceChildren(cellSection(cell, resultsOf(cell.id, true), 'cell-'));
  }

  function renderPrint() {
    const box = document.getElementById('print-all');
    box.replaceChildren(el('h2', { text: 'All cells' }), ...data.cells.map((c) => cellSection(c, resultsOf(c.id, true), 'print-')));
  }

  function select(id) {
    selected = id;
    try { history.replaceState(null, '', '#cell=' + encodeURIComponent(id)); } catch (e) { /* file:// in some browsers */ }
    refresh();
    document.getElementById('details').scrollIntoView({ block: 'nearest' });
  }

  // ---- the manual page beside a citation ----
  function showPage(file, sentence) {
    const page = data.pages[file];
    const dialog = document.getElementById('page-dialog');
    const pre = el('pre', {});
    const span = page.spans[sentence] || null;
    if (span) pre.append(page.text.slice(0, span[0]), el('mark', { id: 'cited', text: page.text.slice(span[0], span[1]) }), page.text.slice(span[1]));
    else pre.append(page.text);
    dialog.replaceChildren(...[
      el('h2', { text: page.page + ' (' + file + ')' }),
      span ? null : el('p', { className: 'meta', text: 'The cited sentence was not found in this copy of the page.' }),
      pre,
      el('form', { method: 'dialog' }, [el('button', { text: 'Close' })]),
    ].filter(Boolean));
    dialog.showModal();
    const mark = document.getElementById('cited');
    if (mark) mark.scrollIntoView({ block: 'center' });
  }

  function refresh() {
    renderGrid();
    renderMatrix();
    renderDetails();
    renderPrint();
  }

  renderHeader();
  renderFilters();
  renderManual();
  const m = /^#cell=(.+)$/.exec(location.hash);
  if (m && data.cells.some((c) => c.id === decodeURIComponent(m[1]))) selected = decodeURIComponent(m[1]);
  refresh();
  document.body.setAttribute('data-ready', 'true');
})();
