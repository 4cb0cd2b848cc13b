// The verdicts panel in Chromium: the catalog is listed with its expected verdicts; running the
// secret-stealing scenario on fresh hosts gives 'compromised' on bare and 'defended' under the
// monitor, as expected; the protected row opens the run's report with the monitor's refusals.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { collectErrors, contrastOf, openLab, openTab, startSideBySideLab } from './support/lab-page';
import { ROOT, type RunningLab } from './support/lab-server';

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  lab = await startSideBySideLab('e2e-verdicts');
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

describe('verdicts panel', () => {
  it('runs a scenario on bare and protected and opens the report', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = collectErrors(page);
    try {
      await openLab(page, lab);
      // The session's own hosts pause while scenarios run on fresh ones.
      await page.getByTestId('pause').click();
      await openTab(page, 'tools:verdicts');
      const rows = page.locator('tbody[data-scenario="steal-secret"]');
      await rows.waitFor({ timeout: 30_000 });
      expect(await rows.textContent()).toContain('expected: bare compromised, protected defended');

      await page.getByTestId('verdicts-run-steal-secret').click();
      await rows.locator('tr[data-mode="protected"]').waitFor({ timeout: 400_000 });
      await expect.poll(() => page.getByTestId('verdicts-running').count(), { timeout: 60_000 }).toBe(0);
      expect(await rows.locator('tr[data-mode="bare"] [data-testid="verdict"]').textContent()).toBe('compromised');
      expect(await rows.locator('tr[data-mode="protected"] [data-testid="verdict"]').textContent()).toBe('defended');
      expect(await rows.locator('tr.head').textContent()).toContain('every run so far as expected');

      // Keyboard: the protected row opens its report with Enter.
      await rows.locator('tr[data-mode="protected"]').focus();
      await page.keyboard.press('Enter');
      const report = page.getByTestId('verdict-report');
      expect(await report.textContent()).toContain('on protected');
      expect(await page.getByTestId('verdict-refusals').textContent()).toContain('ept-x');
      for (const selector of ['tr[data-mode="bare"] [data-testid="verdict"]', 'tr[data-mode="protected"] [data-testid="verdict"]', '[data-testid="verdict-refusals"] li']) {
        expect(await contrastOf(page, selector), selector).toBeGreaterThanOrEqual(4.5);
      }

      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'verdicts.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
