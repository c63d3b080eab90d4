/**
 * Opens the generated index.html in headless Chromium, as a reader would, from disk and offline.
 * Needs the Debian package `chromium` (/usr/bin/chromium); skipped with a message without it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { writeReports } from '../src/reports/index.js';
import { CHROMIUM_ARGS, SYSTEM_CHROMIUM, screenshotReport } from './helpers/html-screenshot.js';
import { fixtureRun, fixtureThroughput } from './report-fixture.js';

const chromiumPath = SYSTEM_CHROMIUM;
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`report-browser: skipped: ${chromiumPath} not found (install the Debian package: apt-get install -y chromium)`);

const root = join(import.meta.dirname, '.tmp', 'report-browser');

/** The DOM members the test reads (the project compiles without the DOM library). */
interface MeasuredElement {
  getBoundingClientRect(): { readonly width: number; readonly height: number };
  querySelectorAll(selector: string): { readonly length: number };
}

describe('index.html in a browser', () => {
  beforeAll(async () => {
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    await writeReports(fixtureRun(fixtureThroughput()), root);
  });

  it.skipIf(!hasChromium)('renders every chart, the summary table and the bank/apple example without console errors', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [...CHROMIUM_ARGS],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // Any request other than the page itself would mean the page is not self-contained.
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(join(root, 'index.html')).href;
      await page.goto(url, { waitUntil: 'load' });

      const charts = await page.$$eval('figure.chart > svg', (svgs: readonly MeasuredElement[]) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return { width: box.width, height: box.height, marks: svg.querySelectorAll('path, rect, line, text').length };
        }),
      );
      expect(charts).toHaveLength(8);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(100);
        expect(chart.height).toBeGreaterThan(100);
        expect(chart.marks).toBeGreaterThan(10);
      }

      const summary = page.locator('table#summary-lesson-all');
      await expect(summary.locator('tbody tr').count()).resolves.toBe(4);
      expect(await summary.locator('thead').innerText()).toContain('AUC [95% CI]');
      expect(await summary.boundingBox()).not.toBeNull();

      const bank = page.locator('#example-lesson-bank');
      expect(await bank.innerText()).toContain('The bank near the river is very calm.');
      expect(await bank.locator('mark').first().innerText()).toBe('bank');
      const apple = page.locator('#example-lesson-apple');
      expect(await apple.innerText()).toContain('The apple I received was bruised and rotten.');
      // The highlighted example is visible (painted with a size), not just present in the DOM.
      const box = await bank.boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);

      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await browser.close();
    }
  });

  it.skipIf(!hasChromium)('saves a full-page screenshot beside the page', async () => {
    const result = await screenshotReport(root);
    expect(result).toEqual({ path: join(root, 'index.png') });
    const png = await readFile(join(root, 'index.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Width 1200 CSS px at scale 1; the page is several screens tall.
    expect(png.readUInt32BE(16)).toBe(1200);
    expect(png.readUInt32BE(20)).toBeGreaterThan(3000);
  });
});
