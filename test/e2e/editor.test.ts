// The patch editor in Chromium against the real web server with a bare and a protected host side
// by side: the VMM's declarations give completion, a patch that does not compile is refused with
// its line marked, the secret-stealing patch is written in the editor, run on both hosts, leaks
// the guest's key on the bare host (shown in hex) and is refused by the monitor on the protected
// one, and is unloaded again. Screenshots in test-artifacts/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { collectErrors, contrastOf, terminalText, openLab, openTab, promptCount, startSideBySideLab, typeLine, waitForPrompt } from './support/lab-page';
import { ROOT, type RunningLab } from './support/lab-server';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const STEAL = readFileSync(join(ROOT, 'assets', 'patches', 'steal-secret.ts'), 'utf8');
const TYPO = "export default definePatch({\n  name: 'typo',\n  install(vmm, hyp) {\n    hyp.mem.reed(0, 4);\n  },\n});\n";

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  lab = await startSideBySideLab('e2e-editor');
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

async function replaceText(page: Page, text: string): Promise<void> {
  const editor = page.locator('.editor-panel .monaco-editor').first();
  await editor.waitFor({ timeout: 30_000 });
  await editor.click();
  await page.keyboard.press('Control+A');
  // Typed as a user types: Monaco indents each new line itself, so the text comes without indentation.
  await page.keyboard.insertText(text.split('\n').map((line) => line.trimStart()).join('\n'));
}

describe('patch editor', () => {
  it('steals the secret on the bare host and is refused on the protected one', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = collectErrors(page);
    mkdirSync(ARTIFACTS, { recursive: true });
    try {
      await openLab(page, lab);
      await openTab(page, 'editor:scratch');
      await expect.poll(() => page.getByTestId('patch-run-both').isEnabled(), { timeout: 30_000 }).toBe(true);

      // The hypervisor interface is known to the editor: completion lists hyp.mem's operations.
      await replaceText(page, "export default definePatch({\nname: 'x',\ninstall(vmm, hyp) {\nhyp.mem");
      await page.keyboard.type('.');
      const suggestions = page.locator('.suggest-widget .monaco-list-row');
      await suggestions.first().waitFor({ timeout: 60_000 });
      expect((await suggestions.allTextContents()).join(' ')).toMatch(/read32/);
      await page.keyboard.press('Escape');

      // The declarations are loaded: 'hyp.mem.reed' is a type error in the editor itself...
      await replaceText(page, TYPO);
      await expect.poll(() => page.locator('.problems').textContent(), { timeout: 60_000 }).toContain("Property 'reed' does not exist");
      // ...and the lab's compiler refuses it on both hosts, pointing at line 4.
      await page.getByTestId('patch-run-both').click();
      await expect.poll(() => page.getByTestId('patch-run-diagnostics').textContent(), { timeout: 60_000 }).toContain('patch.ts:4:');
      expect(await page.getByTestId('patch-results').textContent()).toContain('does not compile');
      await page.locator('.editor-panel .squiggly-error').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'editor-error.png') });

      // The stealing patch, written in the editor, loads hot on both hosts.
      await replaceText(page, STEAL);
      await expect.poll(() => page.getByTestId('problem-count').textContent(), { timeout: 60_000 }).toBe('0');
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => page.getByTestId('patch-loaded').textContent(), { timeout: 60_000 }).toMatch(/bare.*steal the secret.*protected.*steal the secret/s);

      // It learns the guests' memory layout when they are created: reset re-creates them.
      const before = { bare: await promptCount(page, 'bare:dom1'), protected: await promptCount(page, 'protected:dom1') };
      await page.getByTestId('reset').click();
      await expect.poll(() => page.getByTestId('host-state').textContent()).toBe('paused');
      await page.getByTestId('run').click();
      await waitForPrompt(page, 'bare:dom1', before.bare);
      await waitForPrompt(page, 'protected:dom1', before.protected);
      await typeLine(page, 'bare:dom1', 'secret where');
      await typeLine(page, 'protected:dom1', 'secret where');

      await openTab(page, 'editor:scratch');
      const activity = page.getByTestId('patch-activity');
      await activity.locator('[data-what="exfiltrated"][data-host="bare"]').waitFor({ timeout: 120_000 });
      await activity.locator('[data-what="monitor-refused"][data-host="protected"]').first().waitFor({ timeout: 120_000 });
      expect(await activity.locator('[data-what="exfiltrated"][data-host="bare"] .hex').textContent()).toMatch(/^[0-9a-f]{64}$/);
      expect(await activity.locator('[data-what="exfiltrated"][data-host="protected"]').count()).toBe(0);
      expect(await activity.locator('[data-what="monitor-refused"][data-host="protected"]').first().textContent()).toContain('ept-x');
      await page.screenshot({ path: join(ARTIFACTS, 'editor-leak-vs-refusal.png') });

      // The monitor's log, a read-only console of every decision, shows the same refusal; the
      // event log below carries it too.
      await openTab(page, 'console:protected:monitor');
      expect(await page.locator('[data-tab="console:protected:monitor"]').textContent()).toContain('Monitor log: protected');
      expect(await page.locator('[data-console="protected:monitor"] textarea').getAttribute('aria-label')).toBe('Log protected:monitor: read only');
      await expect.poll(() => terminalText(page, 'protected:monitor'), { timeout: 30_000 }).toMatch(/hart \d+ +vm\d/);
      // The whole log is searchable, as any console: the refusal and the guests' launches are in it.
      const find = page.locator('#panel-console-protected-monitor [data-testid="console-find"]');
      for (const needle of ['ept-x', 'refused', 'launch']) {
        await find.fill(needle);
        await find.press('Enter');
        await expect.poll(() => page.locator('#panel-console-protected-monitor [data-testid="console-find-results"]').textContent(), { timeout: 10_000 }).toMatch(/of [1-9]|[1-9]\d* matches/);
      }
      await page.screenshot({ path: join(ARTIFACTS, 'monitor-log.png') });
      expect(await page.locator('.event-log').textContent()).toMatch(/monitor \(protected\).*ept-x/);
      await openTab(page, 'editor:scratch');
      // Readable from the back of the room: WCAG AA (4.5:1) or better for what the verdict rests on.
      for (const selector of [
        '[data-what="exfiltrated"] .what',
        '[data-what="exfiltrated"] .hex',
        '[data-what="monitor-refused"] .what',
        '[data-what="monitor-refused"] .message',
        '[data-testid="patch-results"] .result strong',
        '[data-testid="patch-run-both"]',
      ]) {
        expect(await contrastOf(page, selector), selector).toBeGreaterThanOrEqual(4.5);
      }
      // Keyboard: the run buttons and the unload buttons are reachable with Tab and named.
      await page.getByTestId('patch-run-bare').focus();
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').getAttribute('data-testid')).toBe('patch-run-protected');

      // Unloading takes it off each host.
      await page.locator('[data-testid^="patch-unload-bare-"]').click();
      await page.locator('[data-testid^="patch-unload-protected-"]').click();
      await expect.poll(() => page.getByTestId('patch-results').textContent()).toContain('No patch is loaded');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
