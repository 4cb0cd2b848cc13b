// The renderer in a real headless Chromium against the real web server and host worker: the
// console shows host output and echoes typed input, the run controls drive the host, Monaco's
// TypeScript worker reports a type error, a wrong token is refused with a clear message, and the
// page logs no errors (CSP violations would show up here). Leaves a screenshot in test-artifacts/.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { ROOT, startLab, type RunningLab } from './support/lab-server';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'web-mode.png');
const README_SCREENSHOT = join(ROOT, 'docs', 'screenshot.png');

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  lab = await startLab();
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`http ${response.status()}: ${response.url()}`);
  });
  return errors;
}

/** The text the terminal shows now (xterm's DOM renderer draws one div per row). */
function terminalText(page: Page, consoleName: string): Promise<string> {
  return page
    .locator(`[data-console="${consoleName}"] .xterm-rows`)
    .evaluate((rows) => (rows.textContent ?? '').replace(/\u00a0/g, ' '));
}

async function waitForTerminal(
  page: Page,
  consoleName: string,
  needle: string,
  timeout = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page, consoleName);
    if (text.includes(needle)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`console ${consoleName} never showed ${JSON.stringify(needle)}; it shows:\n${text}`);
}

describe('web mode in Chromium', () => {
  it('streams host output, runs the controls, echoes console input and checks TypeScript', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    const errors = collectErrors(page);
    try {
      await page.goto(lab.server.url);
      await expect
        .poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 })
        .toContain('Connected (browser)');

      // The host was started with autoStart: the running demo prints heartbeats.
      await waitForTerminal(page, 'demo', 'heartbeat');
      await expect.poll(() => page.getByTestId('host-state').textContent()).toBe('running');

      // The command palette (keyboard only): pause the running host.
      await page.keyboard.press('Control+Shift+P');
      await page.getByTestId('command-palette').waitFor();
      await page.keyboard.type('host pause');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('host-state').textContent()).toBe('paused');
      expect(await page.getByTestId('command-palette').count()).toBe(0);

      // Reset, then one step: the demo prints its banner on its first slice, and nothing else.
      await page.getByTestId('reset').click();
      await expect.poll(() => page.getByTestId('host-state').textContent()).toBe('paused');
      await page.getByTestId('step').click();
      await waitForTerminal(page, 'demo', 'CloudVisor Lab demo source: no board is configured');
      await expect.poll(() => page.getByTestId('instructions').textContent()).toBe('1,000');
      expect(await page.title()).toBe('CloudVisor Lab - host paused');

      // Typed keys go to the host as console.input; the demo echoes the line back.
      await page.locator('[data-console="demo"]').click();
      await page.keyboard.type('hello lab');
      await page.keyboard.press('Enter');
      await waitForTerminal(page, 'demo', 'you typed: hello lab');

      // Keyboard: F6 leaves the terminal (which keeps Tab for the guest) for the next region.
      await page.keyboard.press('F6');
      expect(await page.locator(':focus').getAttribute('data-testid')).toBe('event-entries');
      await page.keyboard.press('Shift+F6');
      expect(await page.locator(':focus').getAttribute('data-tab')).toBe('console:demo');
      await page.keyboard.press('Shift+F6');
      expect(await page.locator(':focus').getAttribute('data-testid')).toBe('run');
      expect(await terminalText(page, 'demo')).not.toContain('[17~'); // F6's escape sequence never reached the guest

      // Find in the console searches xterm's buffer: the typed line and its echo.
      await page.getByTestId('console-find').fill('hello lab');
      await expect.poll(() => page.getByTestId('console-find-results').textContent()).toMatch(/^[12] of 2$/);
      await page.getByTestId('console-find').fill('no such text anywhere');
      await expect.poll(() => page.getByTestId('console-find-results').textContent()).toBe('no matches');
      await page.getByTestId('console-find').fill('');

      // The event log recorded the state changes the controls caused.
      await expect.poll(() => page.getByTestId('event-entries').textContent()).toContain('host is paused');

      // The editor: a type error is reported by Monaco's TypeScript worker (bundled, offline).
      await page.getByRole('tab', { name: 'Editor' }).click();
      const editor = page.locator('.monaco-editor').first();
      await editor.waitFor({ timeout: 20_000 });
      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText("const answer: number = 'forty-two';\nexport { answer };\n");
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
      await expect
        .poll(() => page.locator('.problems').textContent(), { timeout: 30_000 })
        .toContain("Type 'string' is not assignable to type 'number'");
      expect(await page.getByTestId('problem-count').textContent()).toBe('1');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      // docs/screenshot.png is the README's: written when missing or when asked, not every run
      // (each run differs in counters and timestamps, which would dirty the checkout).
      if (!existsSync(README_SCREENSHOT) || process.env.UPDATE_SCREENSHOT === '1')
        copyFileSync(SCREENSHOT, README_SCREENSHOT);

      // Until now the page logged nothing: no CSP violation by our own code, no failed load.
      expect(errors).toEqual([]);

      // The CSP is in force: an injected inline script does not run and is reported as a
      // violation. (Playwright's own evaluate is exempt from CSP, so the test injects a tag.)
      const injected = await page.evaluate(`new Promise((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve('blocked: ' + e.violatedDirective), { once: true });
        const script = document.createElement('script');
        script.textContent = 'window.__cvlabInline = true';
        document.head.append(script);
        setTimeout(() => resolve(window.__cvlabInline ? 'ran' : 'silent'), 2000);
      })`);
      expect(injected).toMatch(/^blocked: script-src/);
      errors.length = 0; // that violation was ours; what follows must be clean again

      // The token left the address bar (projectors, shared screens) and a reload still connects.
      expect(page.url()).not.toContain('token=');
      await page.reload();
      await expect
        .poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 })
        .toContain('Connected (browser)');

      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('refuses a page with a wrong token and says so', async () => {
    const page = await browser.newPage();
    try {
      const wrong = lab.server.url.replace(/token=[0-9a-f]+/, `token=${'0'.repeat(32)}`);
      expect(wrong).not.toBe(lab.server.url);
      await page.goto(wrong);
      const notice = page.getByTestId('connection-notice');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.textContent()).toContain('Not authorised');
      expect(await notice.textContent()).toContain('token');
      // Nothing of the workspace is shown to an unauthorised page.
      expect(await page.locator('[data-console]').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('refuses a page with no token at all', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(lab.server.url.replace(/\?token=.*$/, ''));
      const notice = page.getByTestId('connection-notice');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.textContent()).toContain('Not authorised');
    } finally {
      await page.close();
    }
  }, 60_000);
});

describe('web mode when the server goes away', () => {
  it('tells the user the connection was lost', async () => {
    const ownLab = await startLab();
    const page = await browser.newPage();
    try {
      await page.goto(ownLab.server.url);
      await expect
        .poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 })
        .toContain('Connected');
      await ownLab.close();
      const lost = page.getByTestId('connection-lost');
      await lost.waitFor({ timeout: 15_000 });
      expect(await lost.textContent()).toContain('Connection to the lab host lost');
      expect(await page.getByTestId('run').isDisabled()).toBe(true);
      // Reconnecting while the server is still gone says so, rather than "not authorised".
      await page.getByRole('button', { name: 'Reconnect' }).click();
      const notice = page.getByTestId('connection-notice');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.textContent()).toContain('Lab host unreachable');
    } finally {
      await page.close();
      await ownLab.close();
    }
  }, 60_000);
});
