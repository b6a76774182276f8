import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport, REPORT_SECTIONS, newestDay } from '../../../pipeline/report/write-report.js';
import { lakeTables } from '../../../pipeline/tables/registry.js';
import { buildSmallLake, SMALL_LAKE } from '../catalog/small-lake.js';
import { inspectReport, launchChromium, SCREENSHOTS } from './chromium.js';

let root: string;
let lakeDir: string;
let browser: BrowserContext;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-report-'));
  lakeDir = join(root, 'lake');
  await buildSmallLake(lakeDir);
  browser = await launchChromium(root);
});

afterAll(async () => {
  await browser?.close();
  await rm(root, { recursive: true, force: true });
});

describe('writeReport', () => {
  it('writes a page that Chromium opens with every chart drawn and no console error; a screenshot is kept', async () => {
    const out = join(root, 'out', 'report.html');
    const summary = await writeReport({ lakeDir, out, now: () => new Date('2024-03-08T09:30:00Z') });
    expect(summary).toMatchObject({ out, fromDay: '2024-02-28', toDay: SMALL_LAKE.days[1] });
    const expected = REPORT_SECTIONS.flatMap((section) => section.panels.map((panel) => panel.query));
    expect(summary.panels.map((panel) => panel.query)).toEqual(expected);
    expect(summary.panels.every((panel) => panel.rows > 0)).toBe(true);

    const seen = await inspectReport(browser, out, join(SCREENSHOTS, 'report-small-lake.png'));
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.panels.map((panel) => panel.query)).toEqual(expected);
    for (const panel of seen.panels) {
      expect(panel.chart, panel.query ?? '').not.toBeNull();
      expect(panel.width, panel.query ?? '').toBeGreaterThan(300);
      expect(panel.height, panel.query ?? '').toBeGreaterThan(50);
      expect(panel.marks, panel.query ?? '').toBeGreaterThan(0);
    }
    expect(seen.panels.find((panel) => panel.query === 'redshift_slowest_fingerprints')?.tableRows).toBeGreaterThan(0);
    expect(existsSync(join(SCREENSHOTS, 'report-small-lake.png'))).toBe(true);

    const html = await readFile(out, 'utf8');
    expect(html).toContain(SMALL_LAKE.slowest.text.replace('>', '&gt;'));
  });

  it('covers the days asked for, and says when a panel has nothing in them', async () => {
    const out = join(root, 'old.html');
    const summary = await writeReport({ lakeDir, out, toDay: '2024-01-10', days: 3 });
    expect(summary.fromDay).toBe('2024-01-08');
    expect(summary.panels.every((panel) => panel.rows === 0)).toBe(true);
    expect((await readFile(out, 'utf8')).match(/No rows in this range\./g)).toHaveLength(summary.panels.length);
  });
});

describe('newestDay', () => {
  it('is the newest day folder of any table, or undefined for an empty lake', async () => {
    expect(await newestDay(lakeDir, lakeTables())).toBe(SMALL_LAKE.days[1]);
    expect(await newestDay(join(root, 'nothing'), lakeTables())).toBeUndefined();
  });
});
