// report.html itself: one file with its style, script and data inline, so it opens offline,
// from a CI artifact or a mail attachment alike.
import { readFileSync } from 'node:fs';
import { escapeHtml, jsonForScript } from './embed-json.ts';
import type { ReportData } from './report-data.ts';

// Read once: the page's style and script live beside this file as real CSS and JS.
const CSS = readFileSync(new URL('./report.css', import.meta.url), 'utf8');
const JS = readFileSync(new URL('./report.js', import.meta.url), 'utf8');

export function renderReportHtml(data: ReportData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pvconform">
<link rel="icon" href="data:,">
<title>${escapeHtml(data.title)}</title>
<style>
${CSS}</style>
</head>
<body>
<header id="header"></header>
<noscript><p class="warning">This report is drawn by JavaScript, which is off. The same results are in results.jsonl, results.tap and junit.xml beside this file.</p></noscript>
<div class="filters no-print" id="filters" role="search"></div>
<div id="overview"><div id="grid-box"></div><aside id="manual-box" aria-label="Manual pages: statements verified"></aside></div>
<h2 class="section-title">Cells</h2>
<div id="matrix-box"></div>
<div id="details" aria-live="polite"></div>
<div id="print-all" class="print-only"></div>
<dialog id="page-dialog"></dialog>
<script type="application/json" id="pvconform-data">${jsonForScript(data)}</script>
<script>
${JS}</script>
</body>
</html>
`;
}
