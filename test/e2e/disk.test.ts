// The disk panel in Chromium against the web mode, a bare and a protected host side by side, each
// with one labOS guest on a 4 MiB volume: the labfs list read from the host disk shows /secret;
// opening it shows the guest's key in the host-disk column, byte for byte the key in the guest's
// RAM; a file the guest writes appears with its text. On the protected host the disk holds only
// ciphertext (no labfs to list, the key nowhere in the host-disk column), the guest's column shows
// what CloudVisor delivers (the key), and each sector is shown against the monitor's Merkle root.
// Keyboard paging, readable contrast, screenshots in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineConfig } from '../../core/lab/machine-config';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import {
  collectErrors,
  contrastOf,
  openLab,
  openTab,
  terminalText,
  typeLine,
  waitForPrompt,
} from './support/lab-page';
import { ROOT, startLab, type RunningLab } from './support/lab-server';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const MACHINE: MachineConfig = {
  kind: 'bare',
  mode: 'both',
  harts: 1,
  ramMiB: 96,
  guests: [{ name: 'vm1', image: 'labos', memoryMiB: 32, vcpus: 1, diskMiB: 4 }],
};
const NOTE = 'hello from the disk panel';

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  lab = await startLab({ machine: MACHINE, seed: 'e2e-disk' });
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

/** Types a line and waits for the shell to come back. */
async function run(page: Page, consoleName: string, line: string): Promise<void> {
  const seen = await waitForPrompt(page, consoleName);
  await typeLine(page, consoleName, line);
  await waitForPrompt(page, consoleName, seen);
}

/** The guest's key as its RAM holds it (the lab's memory inspector at the pa `secret where` printed). */
async function keyInRam(page: Page, host: 'bare' | 'protected'): Promise<string> {
  const consoleName = `${host}:dom1`;
  await run(page, consoleName, 'secret where');
  const m = / pa 0x([0-9a-f]+) len (\d+)/.exec(await terminalText(page, consoleName));
  const hosts = await lab.host.request('inspect.hosts', {});
  const domain = hosts.hosts.find((h) => h.name === host)?.domains.find((d) => d.console === consoleName);
  const memory = await lab.host.request('inspect.memory', {
    host,
    viewpoint: 'guest-physical',
    domain: domain?.id ?? -1,
    address: parseInt(m?.[1] ?? '0', 16),
    length: Number(m?.[2] ?? 0),
  });
  return Buffer.from(memory.bytes, 'base64').toString('hex');
}

/** The first `n` bytes a column of the panel shows, as hex. */
async function column(page: Page, side: 'host' | 'guest', n: number): Promise<string> {
  const cells = await page.locator(`[data-side="${side}"] .b`).allTextContents();
  return cells.slice(0, n).join('');
}

async function showHost(page: Page, host: 'bare' | 'protected', files = true): Promise<void> {
  await openTab(page, 'inspect:disk');
  const panel = page.getByTestId('disk-panel');
  await panel.waitFor();
  await panel.getByTestId('inspect-host').selectOption(host);
  await expect
    .poll(() => panel.getByTestId('disk-volume').textContent(), { timeout: 30_000 })
    .toContain(`on ${host}: volume vm1`);
  if (files) await panel.locator('[data-file="secret"]').waitFor({ timeout: 30_000 });
}

describe('disk panel', () => {
  it("shows a guest's /secret readable on the bare host disk, and only ciphertext on the protected one", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = collectErrors(page);
    try {
      mkdirSync(ARTIFACTS, { recursive: true });
      await openLab(page, lab);
      await run(page, 'bare:dom1', `write note ${NOTE}`);
      const bareKey = await keyInRam(page, 'bare');
      const guardedKey = await keyInRam(page, 'protected');
      expect(bareKey).toMatch(/^[0-9a-f]{64}$/);

      await showHost(page, 'bare');
      const panel = page.getByTestId('disk-panel');
      expect(await panel.getByTestId('disk-storage').textContent()).toContain(
        'plaintext on the host disk: the VMM and anyone with the disk read it',
      );
      expect(await panel.getByTestId('disk-volume').textContent()).toContain("per the VMM's claim");
      await panel.locator('[data-file="secret"] button').click();
      await expect.poll(() => panel.getByTestId('disk-position').textContent()).toBe('sector 16 / 8191');
      await expect.poll(() => column(page, 'host', 32)).toBe(bareKey);
      expect(await column(page, 'guest', 32)).toBe(bareKey);
      expect(await page.locator('[data-side="host"] .b.lit').count()).toBe(32);
      expect(await page.locator('.diff').count()).toBe(0);
      expect(await panel.getByTestId('disk-diff-count').textContent()).toContain(
        'Both views hold the same bytes',
      );

      // The file the guest wrote: its text in the host-disk column.
      await panel.locator('[data-file="note"] button').click();
      await expect
        .poll(async () => (await page.getByTestId('disk-host-ascii').allTextContents()).join(''))
        .toContain(NOTE);
      expect(await panel.locator('[data-file="note"]').textContent()).toContain(String(NOTE.length));
      expect(await contrastOf(page, '[data-side="host"] .b.lit'), 'the opened file').toBeGreaterThanOrEqual(
        4.5,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'disk-panel-note.png'), fullPage: true });

      // Keyboard: from the file list to the bytes, and Page Down / Up through sectors.
      await panel.locator('[data-file="secret"] button').focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => panel.getByTestId('disk-position').textContent()).toBe('sector 16 / 8191');
      await panel.getByTestId('disk-bytes').focus();
      await page.keyboard.press('PageDown');
      await expect.poll(() => panel.getByTestId('disk-position').textContent()).toBe('sector 17 / 8191');
      await page.keyboard.press('PageUp');
      await expect.poll(() => panel.getByTestId('disk-position').textContent()).toBe('sector 16 / 8191');
      await panel.getByTestId('disk-goto').fill('0x0');
      await page.keyboard.press('Enter');
      await expect.poll(() => column(page, 'host', 4)).toBe('4c424653'); // "LBFS": the superblock

      for (const selector of [
        '[data-testid="disk-storage"]',
        '[data-side="host"] .b',
        '[data-testid="disk-files"] .link',
        '[data-testid="disk-volume"] .muted',
        '[data-testid="disk-diff-count"]',
      ]) {
        expect(await contrastOf(page, selector), selector).toBeGreaterThanOrEqual(4.5);
      }

      // The protected host: ciphertext on its disk, the key only in the guest's column.
      await showHost(page, 'protected', false);
      await expect.poll(() => panel.getByTestId('disk-storage').getAttribute('data-storage')).toBe('encrypted');
      const storage = (await panel.getByTestId('disk-storage').textContent()) ?? '';
      expect(storage).toContain('ciphertext on the host disk');
      expect(storage).toContain('AES-128-XTS');
      await panel.getByTestId('disk-fs-problem').waitFor();
      expect(await panel.locator('[data-file="secret"]').count()).toBe(0);
      await panel.getByTestId('disk-goto').fill('16'); // labfs block 2: /secret
      await page.keyboard.press('Enter');
      await expect.poll(() => panel.getByTestId('disk-position').textContent()).toBe('sector 16 / 8191');
      await expect.poll(() => column(page, 'guest', 32)).toBe(guardedKey);
      expect(await column(page, 'host', 32)).not.toBe(guardedKey);
      const integrity = panel.getByTestId('disk-integrity');
      expect(await integrity.textContent()).toContain('modern (AES-128-XTS, SHA-256 Merkle tree) suite; Merkle root');
      expect(await integrity.locator('tbody tr').first().textContent()).toContain('verified');
      expect(await contrastOf(page, '[data-testid="disk-storage"]'), 'protected storage note').toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: join(ARTIFACTS, 'disk-panel.png'), fullPage: true });

      // Live: a file the guest writes meanwhile moves the Merkle root when the panel is back on screen.
      const rootBefore = await integrity.locator('caption').textContent();
      await run(page, 'protected:dom1', 'write later written while the panel was away');
      await openTab(page, 'inspect:disk');
      await expect.poll(() => integrity.locator('caption').textContent(), { timeout: 30_000 }).not.toBe(rootBefore);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
