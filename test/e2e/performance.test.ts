// The performance panel in Chromium: live samples of both hosts (MIPS, exits per second, the
// monitor's share on the protected host) arrive while the hosts run, the plots draw, and labOS's
// `bench exit` runs in the guest of each host and lands in the bare-vs-protected table.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { collectErrors, openLab, openTab, startSideBySideLab, waitForPrompt } from './support/lab-page';
import { ROOT, type RunningLab } from './support/lab-server';

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  lab = await startSideBySideLab('e2e-performance');
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

describe('performance panel', () => {
  it('plots live samples of both hosts and runs the bench side by side', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = collectErrors(page);
    try {
      await openLab(page, lab);
      await waitForPrompt(page, 'bare:dom1');
      await waitForPrompt(page, 'protected:dom1');
      await openTab(page, 'tools:performance');
      const latest = page.getByTestId('perf-latest');
      for (const host of ['bare', 'protected']) {
        await expect
          .poll(async () => Number((await latest.locator(`tr[data-host="${host}"] [data-testid="perf-mips"]`).textContent())?.replace(/,/g, '')), { timeout: 60_000 })
          .toBeGreaterThan(0);
      }
      expect(await latest.locator('tr[data-host="bare"]').textContent()).toContain('no monitor');
      expect(await latest.locator('tr[data-host="protected"]').textContent()).toMatch(/\d+\.\d%/);
      expect(await page.locator('.performance canvas').count()).toBeGreaterThanOrEqual(3);

      await page.getByTestId('bench-exit').click();
      const table = page.getByTestId('bench-table');
      await expect.poll(() => table.textContent(), { timeout: 240_000 }).toMatch(/exit 20000\s*\d[\d,]* calls\/s\s*\d[\d,]* calls\/s/);
      expect(await table.textContent()).toMatch(/\d+\.\d\dx/);

      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'performance.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
