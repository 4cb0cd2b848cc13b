// The desktop app end to end. With an Electron binary installed: launch the built app through
// playwright-core, check the window has `window.lab` and the console panel shows host output.
// Without one (as on machines where electron's download never ran): check what `npm start`
// does instead, i.e. that build/start-electron.mjs names the problem and `npm run serve`, and
// exits 1, and say plainly that the launch itself did not run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function electronBinary(): { path: string | null; reason: string } {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    if (typeof path === 'string' && existsSync(path)) return { path, reason: '' };
    return { path: null, reason: `the electron package points to ${String(path)}, which does not exist` };
  } catch (error) {
    return {
      path: null,
      reason: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
    };
  }
}

const binary = electronBinary();

describe('desktop app', () => {
  if (binary.path === null) {
    it('without an Electron binary, `npm start` explains and points to `npm run serve`', () => {
      console.warn(
        `Electron launch test not run: ${binary.reason}. Checked the fallback of build/start-electron.mjs instead.`,
      );
      const run = spawnSync(process.execPath, [join(ROOT, 'build', 'start-electron.mjs')], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('The Electron binary is not installed');
      expect(run.stderr).toContain('npm run serve');
      expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    });
    return;
  }

  const electronPath = binary.path;
  it('opens a window whose console shows host output through window.lab', async () => {
    execFileSync(process.execPath, [join(ROOT, 'build', 'build.mjs'), 'electron', 'web'], {
      cwd: ROOT,
      stdio: 'inherit',
      timeout: 300_000,
    });
    const args = [join(ROOT, 'dist', 'electron', 'main.mjs')];
    // Chromium's sandbox refuses to start as root (containers, CI).
    if (process.getuid?.() === 0) args.unshift('--no-sandbox');
    const app = await electron.launch({ executablePath: electronPath, args, cwd: ROOT, timeout: 60_000 });
    try {
      const page = await app.firstWindow();
      expect(page.url()).toBe('cvlab://app/index.html');
      expect(await page.evaluate(() => typeof (globalThis as { lab?: unknown }).lab)).toBe('object');
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
        'undefined',
      );
      await page
        .getByTestId('connection')
        .filter({ hasText: 'Connected (desktop app)' })
        .waitFor({ timeout: 30_000 });
      const rows = page.locator('[data-console="demo"] .xterm-rows');
      await expect
        .poll(async () => (await rows.textContent()) ?? '', { timeout: 30_000 })
        .toContain('heartbeat');
    } finally {
      await app.close();
    }
  }, 240_000);
});
