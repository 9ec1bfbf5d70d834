// Headless Chromium for the report tests: Debian's chromium driven by playwright-core, one
// context per test file (closed at teardown), and report.html opened with every console error,
// page error and failed request recorded.
import type { Test } from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let context: BrowserContext | null = null;

export async function browser(t: Test): Promise<BrowserContext | null> {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing, so report.html cannot be tested in a browser. Fix: apt-get install -y chromium`);
    return null;
  }
  if (!context) {
    const userData = mkdtempSync(join(tmpdir(), 'pvconform-chromium-'));
    context = await chromium.launchPersistentContext(userData, { executablePath: CHROMIUM, headless: true, args: ARGS });
    t.teardown(async () => {
      await context?.close();
      context = null;
      rmSync(userData, { recursive: true, force: true });
    });
  }
  return context;
}

/** Opens report.html and records every console error, page error and failed request. */
export async function open(ctx: BrowserContext, runDir: string, hash = ''): Promise<{ page: Page; problems: string[] }> {
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(pathToFileURL(join(runDir, 'report.html')).href + hash);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  return { page, problems };
}

