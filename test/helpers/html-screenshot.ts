/**
 * An optional picture of the report page: opens `<outDir>/index.html` in headless Chromium and
 * saves a full-page PNG beside it, for the lesson's slides. Needs the system Chromium (Debian
 * package `chromium`) and the dev dependency playwright-core; without them it says why and writes
 * nothing. The page itself never needs a browser to be generated.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { writeFileAtomic } from '../../src/io/atomic.js';
import { pathExists } from '../../src/io/paths.js';

/** Where Debian's `chromium` package installs the browser. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline, unprivileged headless run (no sandbox inside containers). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The outcome: the PNG written, or the reason none was. */
export type ScreenshotResult = { readonly path: string } | { readonly skipped: string };

/**
 * Screenshots `<outDir>/index.html` (full page, `width` CSS pixels wide) to `<outDir>/index.png`.
 * PNG bytes depend on the machine's fonts and Chromium version, so the file is not part of the
 * byte-identical outputs.
 */
export async function screenshotReport(outDir: string, options: { readonly executablePath?: string; readonly width?: number } = {}): Promise<ScreenshotResult> {
  const executablePath = options.executablePath ?? SYSTEM_CHROMIUM;
  if (!(await pathExists(executablePath))) return { skipped: `${executablePath} not found (install the Debian package chromium)` };
  const page = join(outDir, 'index.html');
  if (!(await pathExists(page))) return { skipped: `${page} not found (write the report first)` };
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return { skipped: 'playwright-core is not installed (it is a dev dependency)' };
  }
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  try {
    const tab = await browser.newPage({ viewport: { width: options.width ?? 1200, height: 900 } });
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    const path = join(outDir, 'index.png');
    await writeFileAtomic(path, await tab.screenshot({ fullPage: true }));
    return { path };
  } finally {
    await browser.close();
  }
}
