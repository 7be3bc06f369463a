/**
 * The status page in a real headless browser (Debian's chromium, driven by playwright-core): the daemon runs the real
 * secure pipeline on simulated ports, hears a short scenario (_status-scenario.ts), and the page must plot every ship
 * in the colour of its latest status, give the spoofer's rejections as F with their reason, render a name that is
 * markup as text, and follow new traffic live. The screenshot goes to a temporary file; with MIBC_WRITE_SCREENSHOT=1
 * it replaces docs/status-page.png (shown in the README), so an ordinary test run leaves the tree as it was.
 * Skipped, with a message saying why, where /usr/bin/chromium is absent (scripts/system-deps.sh installs it).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAis, encodeVdm } from '../../../nmea/index.js';
import { positionReport, SIGNED_SHIPS, SPOOFER, startScenario, settle, YACHT, YACHT_NAME, type Scenario } from './_status-scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOT =
  process.env['MIBC_WRITE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL('../../../docs/status-page.png', import.meta.url))
    : join(tmpdir(), `mibc-status-page-${process.pid}.png`);
/** A busy 2-core machine: browser start and first paint can take a while; every wait is on a DOM condition. */
const DEADLINE_MS = 60_000;
/*
 * Functions run in the page are sent as their source (strings would be eval'd, which the page's CSP forbids). The test
 * is compiled without the DOM library, so they reach the page's globals through globalThis.
 */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number }; body: { getAttribute(name: string): string | null } };
  getComputedStyle(e: unknown): { fill: string };
}
const FILL = (e: unknown) => (globalThis as unknown as PageGlobals).getComputedStyle(e).fill;

if (!HAVE_CHROMIUM) console.warn(`status page browser test skipped: ${CHROMIUM} not found (scripts/system-deps.sh installs Debian's chromium)`);

describe.skipIf(!HAVE_CHROMIUM)('status page in headless chromium', () => {
  let scenario: Scenario;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const failedLoads: string[] = [];
  let alerted = false;

  beforeAll(async () => {
    scenario = await startScenario({ keyValidity: () => [{ kind: 'mmsi', identity: '265000001', notAfter: Math.floor(Date.UTC(2027, 0, 31) / 1000) }] });
    await scenario.play();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: DEADLINE_MS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(DEADLINE_MS);
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) failedLoads.push(`${r.status()} ${r.url()}`);
    });
    page.on('dialog', (d) => {
      alerted = true;
      void d.dismiss();
    });
    await page.goto(`http://127.0.0.1:${scenario.daemon.statusPort}/`);
  }, 4 * DEADLINE_MS);

  afterAll(async () => {
    await browser?.close();
    await scenario?.daemon.stop();
    if (process.env['MIBC_WRITE_SCREENSHOT'] !== '1') rmSync(SCREENSHOT, { force: true });
  });

  const marker = (mmsi: number) => page.locator(`path.ship[data-mmsi="${mmsi}"]`);
  const row = (mmsi: number) => page.locator(`#ships tbody tr[data-mmsi="${mmsi}"]`);

  it('plots every ship coloured by its latest status: signed ships V, the plain yacht U, the spoofer F', async () => {
    await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).document.querySelectorAll('path.ship').length >= n, SIGNED_SHIPS.length + 2);
    for (const mmsi of SIGNED_SHIPS) expect(await marker(mmsi).getAttribute('data-result')).toBe('V');
    expect(await marker(YACHT).getAttribute('data-result')).toBe('U');
    expect(await marker(SPOOFER).getAttribute('data-result')).toBe('F');
    // The colour comes from the class: the F marker is drawn red, a V marker green.
    expect(await marker(SPOOFER).evaluate(FILL)).toBe('rgb(215, 25, 28)');
    expect(await marker(SIGNED_SHIPS[0]).evaluate(FILL)).toBe('rgb(26, 150, 65)');
  }, 2 * DEADLINE_MS);

  it("lists the spoofer's rejected reports as F with the reason", async () => {
    await expect.poll(() => row(SPOOFER).locator('.badge').textContent(), { timeout: DEADLINE_MS }).toBe('F');
    expect(await row(SPOOFER).locator('td.reason').textContent()).toBe('BAD_SIGNATURE');
    expect(await row(SPOOFER).locator('td.failure').textContent()).toMatch(/^BAD_SIGNATURE /);
    expect(await page.locator('#mode').textContent()).toBe('2');
    expect(await page.locator('#keys tbody tr').first().textContent()).toContain('265000001');
  }, 2 * DEADLINE_MS);

  it('renders a ship name that is markup as text: no element made of it, nothing run', async () => {
    const name = row(YACHT).locator('td.name');
    await expect.poll(() => name.textContent(), { timeout: DEADLINE_MS }).toBe(YACHT_NAME);
    expect(await name.evaluate((e) => e.childElementCount)).toBe(0);
    // Only the page's own two scripts exist; the name made none.
    expect(await page.locator('script').count()).toBe(2);
    await marker(YACHT).hover();
    await expect.poll(() => page.locator('.leaflet-tooltip .ship-name').textContent(), { timeout: DEADLINE_MS }).toBe(` ${YACHT_NAME}`);
    expect(alerted).toBe(false);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(failedLoads).toEqual([]);
  }, 2 * DEADLINE_MS);

  it('follows new traffic live and writes the screenshot', async () => {
    const late = 265_999_001;
    const updates = Number(await page.locator('body').getAttribute('data-updates'));
    for (const l of encodeVdm(encodeAis(positionReport(late, 30)), { channel: 'B' })) scenario.radio.emitLine(l);
    await settle(scenario.daemon);
    await page.waitForFunction((n) => Number((globalThis as unknown as PageGlobals).document.body.getAttribute('data-updates')) > n, updates);
    await marker(late).waitFor({ state: 'attached' });
    expect(await marker(late).getAttribute('data-result')).toBe('U');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString('latin1')).toBe('PNG');
  }, 2 * DEADLINE_MS);
});
