/**
 * Headless Chromium for the browser tests, driven by playwright-core: Debian's chromium found or installed by
 * tooling/chromium.ts, started with the flags this machine needs and, as playwright does, a new empty profile.
 * What a page logs and throws goes to stderr, which the quiet environment shows only with a failing test.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, resolveChromium } from '../../tooling/chromium';

export async function launchChromium(): Promise<Browser> {
  const executablePath = resolveChromium({ log: (line) => process.stderr.write(`${line}\n`) });
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
}

/** A new page in its own context, its console and errors sent to stderr under `label`. */
export async function newPage(browser: Browser, label: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => process.stderr.write(`[${label} console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[${label} pageerror] ${e.stack ?? e.message}\n`));
  page.on('requestfailed', (r) =>
    process.stderr.write(`[${label} request failed] ${r.method()} ${r.url()}\n`),
  );
  return page;
}
