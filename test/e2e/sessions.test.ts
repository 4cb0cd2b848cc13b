// Sessions in Chromium: a session with the secret-stealing patch (opened from the catalog's
// templates) on both hosts and a typed command is saved to a file (version 2: the session log, the
// save point and both hosts' state digests); a truncated copy, a copy with one changed byte, a
// foreign JSON file and a newer version are each refused with a clear error while the current
// session (documents, loaded patches) stays as it was; the saved file then opens: the hosts are
// rebuilt, the log is replayed to the save point, the leak shows again and the panel says the
// state was restored bit for bit, both digests matching the saved ones; the autosaved copy in the
// browser's storage restores the same way; the same session as a version 1 file (no log) opens the
// old way and the panel says it is not exact.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSessionFile, type SessionBody } from '../../core/lab/session-file/session-file';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { collectErrors, openLab, openTab, startSideBySideLab, typeLine, waitForPrompt } from './support/lab-page';
import { ROOT, type RunningLab } from './support/lab-server';

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  lab = await startSideBySideLab('e2e-sessions');
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

async function openFile(page: Page, name: string, text: string): Promise<void> {
  await page.getByTestId('session-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

async function loadedPatches(page: Page): Promise<string> {
  await openTab(page, 'editor:scratch');
  return (await page.getByTestId('patch-results').textContent()) ?? '';
}

describe('sessions panel', () => {
  it('saves, refuses bad files untouched, and opens the saved session again', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
    const errors = collectErrors(page);
    try {
      await openLab(page, lab);
      await waitForPrompt(page, 'bare:dom1');
      await waitForPrompt(page, 'protected:dom1');

      // A session worth saving: the catalog's stealing patch on both hosts, a command typed.
      await openTab(page, 'editor:scratch');
      await expect.poll(() => page.getByTestId('patch-run-both').isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.getByTestId('patch-template').selectOption('steal-secret');
      await expect.poll(() => page.getByTestId('patch-document').inputValue()).toBe('template:steal-secret');
      await page.getByTestId('patch-run-both').click();
      await expect.poll(() => loadedPatches(page), { timeout: 60_000 }).toMatch(/bare.*steal the secret.*protected.*steal the secret/s);
      // The patch learns each guest's memory map as the guest is made: reset re-creates them under it.
      const seen = await waitForPrompt(page, 'bare:dom1');
      await page.getByTestId('reset').click();
      await expect.poll(() => page.getByTestId('run').isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.getByTestId('run').click();
      await waitForPrompt(page, 'bare:dom1', seen);
      await typeLine(page, 'bare:dom1', 'secret where');
      await openTab(page, 'editor:scratch');
      await page.getByTestId('patch-activity').locator('[data-what="exfiltrated"][data-host="bare"]').waitFor({ timeout: 120_000 });

      await openTab(page, 'tools:sessions');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('session-save').click()]);
      const path = await download.path();
      const saved = readFileSync(path, 'utf8');
      expect(download.suggestedFilename()).toMatch(/^cloudvisor-lab-session-.*\.json$/);
      const file = JSON.parse(saved) as { version: number; body: { replay: { digests: Record<string, string>; log: { event: { kind: string } }[] } } };
      expect(file).toMatchObject({ format: 'cloudvisor-lab-session', version: 2 });
      const savedDigests = file.body.replay.digests;
      expect(Object.keys(savedDigests)).toEqual(['bare', 'protected']);
      expect(file.body.replay.log.map((e) => e.event.kind)).toContain('patch-load');
      expect(await page.getByTestId('session-status').textContent()).toContain(savedDigests.bare);

      // Bad files: each refused with its own reason; nothing changes.
      const cases: [string, string, RegExp][] = [
        ['truncated.json', saved.slice(0, Math.floor(saved.length / 2)), /incomplete/],
        ['edited.json', saved.replace('secret where', 'secret there'), /damaged or was edited/],
        ['package.json', '{"name":"something-else","version":"1.0.0"}', /not a CloudVisor Lab session/],
        ['newer.json', saved.replace('"version": 2', '"version": 9'), /version 9.*newer lab/],
      ];
      for (const [name, text, message] of cases) {
        await openFile(page, name, text);
        await expect.poll(() => page.getByTestId('session-error').textContent(), { timeout: 20_000 }).toMatch(message);
        expect(await page.getByTestId('session-error').textContent()).toContain('Nothing was changed');
      }
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'sessions-refused.png') });
      expect(await loadedPatches(page)).toMatch(/bare.*steal the secret.*protected.*steal the secret/s);
      expect(await page.getByTestId('patch-document').inputValue()).toBe('template:steal-secret');

      // The saved session opens: hosts rebuilt, the log replayed to the save point, checked by digest.
      await openTab(page, 'editor:scratch');
      await page.getByTestId('patch-activity').getByRole('button', { name: 'Clear' }).click();
      expect(await page.getByTestId('patch-activity').locator('[data-what="exfiltrated"]').count()).toBe(0);
      await openTab(page, 'tools:sessions');
      await openFile(page, 'session.json', saved);
      await expect
        .poll(() => page.getByTestId('session-status').textContent(), { timeout: 300_000 })
        .toMatch(/Session restored bit for bit \(digest matches\)/);
      expect(await page.getByTestId('session-error').count()).toBe(0);
      const check = page.getByTestId('session-digest');
      expect(await check.getAttribute('data-exact')).toBe('true');
      for (const host of ['bare', 'protected']) {
        const row = check.locator(`tr[data-host="${host}"]`);
        expect(await row.getAttribute('data-match')).toBe('true');
        expect(await row.textContent()).toContain(savedDigests[host]);
      }
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'sessions-restored.png') });
      // On the way to the save point the patch leaked the secret on bare again; the host then waits there.
      expect(await page.getByTestId('host-state').textContent()).toMatch(/paused/i);
      await openTab(page, 'editor:scratch');
      await page.getByTestId('patch-activity').locator('[data-what="exfiltrated"][data-host="bare"]').waitFor({ timeout: 120_000 });

      // Autosave (every 30 s) keeps the session in the browser's storage; it restores the same way.
      await openTab(page, 'tools:sessions');
      await expect.poll(() => page.getByTestId('session-autosaved').textContent(), { timeout: 60_000 }).not.toBe('never');
      // (A string: the tests type-check without the DOM library.)
      expect(await page.evaluate("JSON.parse(localStorage.getItem('cvlab.session.autosave.v1') ?? '{}').format")).toBe('cloudvisor-lab-session');
      await page.getByTestId('session-restore-autosave').click();
      await expect
        .poll(() => page.getByTestId('session-status').textContent(), { timeout: 300_000 })
        .toMatch(/Session restored bit for bit \(digest matches\)/);

      // The status changes at once when a session starts opening, so the one above is this restore's.
      await expect.poll(() => page.getByTestId('session-open').isEnabled(), { timeout: 300_000 }).toBe(true);

      // A version 1 file (no log, no digests) still opens the old way, and the panel says it is not exact.
      const { replay: _dropped, ...v1 } = JSON.parse(saved).body as SessionBody;
      await openFile(page, 'version-1.json', await encodeSessionFile(v1));
      await expect
        .poll(() => page.getByTestId('session-status').textContent(), { timeout: 300_000 })
        .toMatch(/Session opened: 2 patch\(es\) loaded, 1 input line\(s\) replayed\. This file is version 1.*not exact/);
      expect(await page.getByTestId('session-digest').count()).toBe(0);

      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'sessions.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
