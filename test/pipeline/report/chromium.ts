import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots are kept here for a person to look at (not compared). */
export const SCREENSHOTS = resolve('test-output/report');

/** Debian's Chromium, headless, kept away from the network and from any existing profile. */
export async function launchChromium(scratch: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup-chromium.sh (as root) first`);
  const profile = join(scratch, 'chromium-profile');
  await mkdir(profile, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1600, height: 1200 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens a report; returns what the browser saw: console errors, failed requests and each panel's drawing. */
export async function inspectReport(browser: BrowserContext, file: string, screenshot: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) requests.push(request.url());
  });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  const panels = await page.$$eval('article.panel', (articles) =>
    articles.map((article) => {
      const svg = article.querySelector('figure.chart svg');
      const box = svg?.getBoundingClientRect();
      const marks = [...(svg?.querySelectorAll('.mark') ?? [])].filter((mark) => {
        const markBox = mark.getBoundingClientRect();
        return markBox.width > 0 && markBox.height > 0;
      });
      return {
        query: article.getAttribute('data-query'),
        rows: Number(article.getAttribute('data-rows')),
        chart: article.querySelector('figure.chart')?.getAttribute('data-chart') ?? null,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        marks: marks.length,
        tableRows: article.querySelectorAll('table tbody tr').length,
      };
    }),
  );
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { errors, requests, panels };
}
