// The verdicts panel in Chromium: the catalog is listed with its expected verdicts; running the
// secret-stealing scenario on fresh hosts gives 'compromised' on bare and 'defended' under the
// monitor, as expected; the protected row opens the run's report with the monitor's refusals.
// Runs are made beside the session's host: while they are queued or running (shown per run, each
// cancellable), a line typed at a guest's console is still echoed and answered.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DEFENSES } from '../../core/cloudvisor/monitor-events';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { collectErrors, contrastOf, openLab, openTab, startSideBySideLab, terminalText, typeLine, waitForPrompt } from './support/lab-page';
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
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    try {
      await openLab(page, lab);
      const consoleName = 'bare:dom1';
      const prompts = await waitForPrompt(page, consoleName);
      await openTab(page, 'tools:verdicts');
      const rows = page.locator('tbody[data-scenario="steal-secret"]');
      await rows.waitFor({ timeout: 30_000 });
      expect(await rows.textContent()).toContain('expected: bare compromised, protected defended');

      // Every defense off in turn as well (bare, protected, one run per defense), one at a time, queued in the order asked.
      const runs = 2 + Object.keys(ALL_DEFENSES).length;
      await page.getByTestId('verdicts-ablation').check();
      await page.getByTestId('verdicts-run-steal-secret').click();
      const running = rows.locator('tr.pending[data-phase="running"]');
      await running.waitFor({ timeout: 30_000 });
      expect(await running.locator('[data-testid="run-phase"]').textContent()).toMatch(/^running \(\d+ s\)$/);
      expect(await rows.locator('tr.pending[data-phase="queued"] [data-testid="run-phase"]').first().textContent()).toMatch(/^queued \(\d+ ahead\)$/);
      expect(await contrastOf(page, 'tr.pending [data-testid="run-phase"]')).toBeGreaterThanOrEqual(4.5);
      await rows.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'verdicts-queued.png'), fullPage: true });

      // The last queued run is cancelled: its row goes, and it never becomes a verdict.
      await expect.poll(() => rows.locator('tr.pending, tr.run').count(), { timeout: 30_000 }).toBe(runs);
      const cancelledTicket = await rows.locator('tr.pending[data-phase="queued"]').last().getAttribute('data-ticket');
      await rows.locator(`tr[data-ticket="${cancelledTicket}"]`).getByRole('button', { name: /^Cancel the run of steal-secret/ }).click();
      await expect.poll(async () => (await lab.host.request('scenario.runs', { tickets: [cancelledTicket ?? ''] })).runs[0]?.phase).toBe('cancelled');
      await expect.poll(() => rows.locator(`tr[data-ticket="${cancelledTicket}"]`).count(), { timeout: 10_000 }).toBe(0);

      // Meanwhile the session's guests keep running: a line typed at a console is echoed and answered.
      await typeLine(page, consoleName, 'uptime');
      await waitForPrompt(page, consoleName, prompts, 30_000);
      expect(await terminalText(page, consoleName)).toContain('uptime');
      const meanwhile = await lab.host.request('scenario.runs', {});
      expect(meanwhile.runs.some((r) => r.phase === 'running' || r.phase === 'queued')).toBe(true);

      await openTab(page, 'tools:verdicts');
      await rows.locator('tr[data-mode="protected"]').waitFor({ timeout: 400_000 });
      await expect.poll(() => page.getByTestId('verdicts-running').count(), { timeout: 400_000 }).toBe(0);
      expect(await rows.locator('tr.run').count()).toBe(runs - 1);
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

      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'verdicts.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
