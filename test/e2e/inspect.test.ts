// The inspectors in a real headless Chromium against the web mode, with a bare and a protected
// host side by side, each booting two labOS guests: `secret where` typed in a guest console, the
// secret opened in the memory inspector from every viewpoint (the guest's plaintext everywhere,
// the VMM's view refused only under CloudVisor), the page tables with the monitor's shadow, and
// the vCPU's real registers next to what the VMM saw. Screenshots of each panel in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBareConfig } from '../../core/lab/machine-config';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { contrastOf } from './support/lab-page';
import { ROOT, startLab, type RunningLab } from './support/lab-server';

const ARTIFACTS = join(ROOT, 'test-artifacts');

/**
 * A malicious VMM: in every new guest's G-stage table, before its first entry, the guest's first
 * page is pointed at a frame of the monitor (the top 8 MiB of the 128 MiB of RAM).
 */
const MAP_MONITOR = `export default definePatch({
  name: 'map the monitor into new guests',
  description: "Points a new guest's first page at a frame of the monitor.",
  install(vmm, hyp) {
    vmm.hooks.on('domain.create', (domain, info) => {
      const root = (info.hgatp & 0x3fffff) * 4096;
      const top = hyp.mem.read32(root + (0x80000000 >>> 22) * 4);
      const table = (top >>> 10) * 4096;
      hyp.mem.write32(table, (((0x87800000 / 4096) << 10) | 0xdf) >>> 0);
    });
  },
});
`;

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  const base = defaultBareConfig(2);
  if (base.kind !== 'bare') throw new Error('the default machine is a VMM host');
  lab = await startLab({ machine: { ...base, mode: 'both' }, seed: 'e2e-inspect' });
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
  return errors;
}

function terminalText(page: Page, consoleName: string): Promise<string> {
  return page
    .locator(`[data-console="${consoleName}"] .xterm-rows`)
    .evaluate((rows) => (rows.textContent ?? '').replace(/\u00a0/g, ' '));
}

async function waitForTerminal(page: Page, consoleName: string, needle: string, timeout = 60_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page, consoleName);
    if (text.includes(needle)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`console ${consoleName} never showed ${JSON.stringify(needle)}; it shows:\n${text}`);
}

async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name, exact: true }).click();
}

async function askSecret(page: Page, consoleName: string): Promise<void> {
  await openTab(page, `Console: ${consoleName}`);
  await waitForTerminal(page, consoleName, 'labos> ');
  await page.locator(`[data-console="${consoleName}"]`).click();
  await page.keyboard.type('secret where');
  await page.keyboard.press('Enter');
  await waitForTerminal(page, consoleName, 'SECRET where va 0x');
}

/** The hex text of the highlighted (secret) bytes in the hex view. */
function litBytes(page: Page): Promise<string[]> {
  return page.locator('[data-testid="hex-rows"] .b.lit').allTextContents();
}

describe('the inspectors in Chromium (bare and protected side by side)', () => {
  it('opens the secret from every viewpoint, the page tables and the vCPU view', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    const errors = collectErrors(page);
    mkdirSync(ARTIFACTS, { recursive: true });
    try {
      await page.goto(lab.server.url);
      await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected');

      // The host panel: both hosts, their modes, harts and domains.
      await expect.poll(() => page.getByTestId('host-mode').allTextContents(), { timeout: 20_000 })
        .toEqual(['bare (no monitor)', 'protected (CloudVisor)']);
      for (const console of ['bare:dom1', 'protected:dom1']) await askSecret(page, console);
      await expect.poll(() => page.getByTestId('domain-protected-1').textContent(), { timeout: 10_000 }).toContain('running');
      await expect.poll(() => page.getByTestId('hart-protected-0').textContent()).toContain('CloudVisor');

      // Memory: the protected host's dom1, guest-virtual, go to the secret: plaintext bytes.
      await openTab(page, 'Memory');
      const memory = page.getByTestId('memory-panel');
      await memory.getByTestId('inspect-host').selectOption('protected');
      await memory.getByTestId('inspect-domain').selectOption('1');
      await page.getByTestId('memory-viewpoint').selectOption('guest-virtual');
      await page.getByTestId('memory-secret').click();
      // Until the rows arrive from the host the highlighted cells are blank: wait for 32 bytes.
      const shown = async (): Promise<number> => (await litBytes(page)).filter((b) => /^[0-9a-f]{2}$/.test(b)).length;
      await expect.poll(shown, { timeout: 10_000 }).toBe(32);
      const plaintext = await litBytes(page);
      expect(await contrastOf(page, '[data-testid="hex-rows"] .b.owner-dom')).toBeGreaterThanOrEqual(4.5);
      expect(await contrastOf(page, '[data-testid="hex-rows"] .b.unmapped')).toBeGreaterThanOrEqual(4.5);
      expect(plaintext.some((b) => b !== '00')).toBe(true);

      // Guest-physical and host RAM show the same bytes; the VMM's view is refused under CloudVisor.
      await page.getByTestId('memory-viewpoint').selectOption('guest-physical');
      await page.getByTestId('memory-secret').click();
      await expect.poll(() => litBytes(page), { timeout: 10_000 }).toEqual(plaintext);
      await page.getByTestId('memory-viewpoint').selectOption('host');
      await page.getByTestId('memory-secret').click();
      await expect.poll(() => litBytes(page), { timeout: 10_000 }).toEqual(plaintext);
      await page.getByTestId('memory-viewpoint').selectOption('vmm');
      await page.getByTestId('memory-secret').click();
      await expect.poll(() => litBytes(page), { timeout: 10_000 }).toEqual(Array.from({ length: 32 }, () => '!!'));
      expect(await page.locator('[data-testid="hex-rows"] .b.lit').first().getAttribute('title')).toMatch(/refused: .*EPT-x/);
      await expect.poll(() => page.getByTestId('memory-notes').textContent()).toMatch(/refused: frame owned by dom1: CloudVisor's EPT-x/);
      await page.screenshot({ path: join(ARTIFACTS, 'inspect-memory-vmm-refused.png') });
      // Readable from the back of the room: WCAG AA (4.5:1) for refused bytes, the reasons, addresses.
      for (const selector of ['[data-testid="hex-rows"] .b.refused', '[data-testid="memory-notes"]', '[data-testid="hex-rows"] .addr']) {
        expect(await contrastOf(page, selector), selector).toBeGreaterThanOrEqual(4.5);
      }

      // Search finds the secret's first bytes in RAM (the host viewpoint) where the secret is.
      await page.getByTestId('memory-viewpoint').selectOption('host');
      await page.getByTestId('memory-search').fill(plaintext.slice(0, 8).join(' '));
      await page.getByTestId('memory-search').press('Enter');
      await expect.poll(() => page.getByTestId('memory-message').textContent(), { timeout: 20_000 }).toMatch(/^found at 0x/);
      await expect.poll(() => litBytes(page)).toEqual(plaintext.slice(0, 8));

      // Every viewpoint, on both hosts: the guest reads its secret; the VMM reads it only when bare.
      await page.getByTestId('memory-viewpoint').selectOption('guest-virtual');
      await page.getByTestId('memory-secret').click();
      await page.getByTestId('memory-every').click();
      const compare = page.getByTestId('memory-compare');
      await compare.waitFor();
      await expect.poll(() => compare.locator('[data-viewpoint="vmm"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-access'))))
        .toEqual(['ok', 'refused']);
      expect(await compare.locator('[data-viewpoint="guest-virtual"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-access'))))
        .toEqual(['ok', 'ok']);
      await expect.poll(() => compare.locator('[data-viewpoint="vmm"]').nth(1).textContent()).toMatch(/refused: .*EPT-x/);

      // Keyboard: the hex view scrolls with Page Down.
      const firstRow = (): Promise<string | null> => page.locator('[data-testid="hex-rows"] .row').first().getAttribute('data-address');
      const before = await firstRow();
      await page.getByTestId('hex-rows').focus();
      await page.keyboard.press('PageDown');
      await expect.poll(firstRow).not.toBe(before);
      await page.keyboard.press('PageUp');
      await expect.poll(firstRow).toBe(before);
      await page.screenshot({ path: join(ARTIFACTS, 'inspect-memory.png') });

      // Virtualised: a guest's whole 4 GiB virtual space scrolls, yet only the visible rows exist.
      const rowsShown = await page.locator('[data-testid="hex-rows"] .row').count();
      expect(rowsShown).toBeGreaterThan(8);
      expect(rowsShown).toBeLessThan(80);
      expect(await page.getByTestId('hex-rows').getAttribute('aria-rowcount')).toBe(String(2 ** 32 / 16));
      const lastRow = (): Promise<string | null> => page.locator('[data-testid="hex-rows"] .row').last().getAttribute('data-address');
      await page.getByTestId('hex-rows').focus();
      await page.keyboard.press('End');
      await expect.poll(lastRow).toBe('fffffff0');
      await page.keyboard.press('Home');
      await expect.poll(firstRow).toBe('00000000');
      // Clicking a byte selects it: one highlighted cell.
      await page.locator('[data-testid="hex-rows"] .b').nth(5).click();
      await expect.poll(() => litBytes(page)).toHaveLength(1);

      // Page tables: the VMM's G-stage next to CloudVisor's shadow; the guest's VS-stage maps the secret.
      await openTab(page, 'Page tables');
      await expect.poll(() => page.getByTestId('pt-summary').textContent(), { timeout: 10_000 }).toContain("CloudVisor's shadow");
      await expect.poll(() => page.locator('[data-testid="pt-table"] tbody tr').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'inspect-page-tables.png') });
      await page.getByTestId('pt-stage').selectOption('vs-stage');
      await expect.poll(() => page.getByTestId('pt-summary').textContent(), { timeout: 10_000 }).toContain('vsatp 0x8');
      // A VS-stage row opens its page in the memory inspector, through the guest's own table.
      const firstVa = page.locator('[data-testid="pt-table"] tbody tr').first().locator('button').first();
      const va = ((await firstVa.textContent()) ?? '').trim().replace(/^0x/, '');
      await firstVa.click();
      await expect.poll(() => page.getByRole('tab', { name: 'Memory', exact: true }).getAttribute('aria-selected')).toBe('true');
      expect(await page.getByTestId('memory-viewpoint').inputValue()).toBe('guest-virtual');
      await expect.poll(() => page.locator('[data-testid="hex-rows"] .row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address'))))
        .toContain(va);
      await openTab(page, 'Page tables');

      // vCPU: real registers next to what the VMM saw; under CloudVisor most are hidden.
      await openTab(page, 'vCPU');
      await expect.poll(() => page.getByTestId('vcpu-summary').textContent(), { timeout: 10_000 }).toMatch(/Under CloudVisor: dom1 vCPU 0/);
      // Read in one go: the panel re-reads the registers every second while the host runs.
      const [hidden, rowsHidden] = await page.getByTestId('vcpu-panel').evaluate((panel) => [
        Number(/(\d+) registers hidden/.exec(panel.querySelector('[data-testid="vcpu-summary"]')?.textContent ?? '')?.[1]),
        panel.querySelectorAll('[data-testid="vcpu-registers"] tr.hidden').length,
      ]);
      expect(hidden).toBeGreaterThan(10);
      expect(rowsHidden).toBe(hidden);
      expect(await contrastOf(page, '[data-testid="vcpu-registers"] tr.hidden .seen')).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: join(ARTIFACTS, 'inspect-vcpu.png') });
      // On the bare host the VMM sees every register.
      await page.getByTestId('vcpu-panel').getByTestId('inspect-host').selectOption('bare');
      await expect.poll(() => page.getByTestId('vcpu-summary').textContent(), { timeout: 10_000 }).toMatch(/Bare host: .* 0 registers hidden/);

      await page.locator('[data-region="host"]').screenshot({ path: join(ARTIFACTS, 'inspect-host.png') });

      // A VMM that maps the monitor's memory into a new guest: the page table shows the entry refused.
      const loaded = await lab.host.request('patch.load', { fileName: 'map-monitor.ts', source: MAP_MONITOR, target: 'protected' });
      expect(loaded.results.map((r) => r.ok)).toEqual([true]);
      await openTab(page, 'Console: protected:xl');
      await page.locator('[data-console="protected:xl"]').click();
      await page.keyboard.type('create name=vm3 kernel=labos.elf memory=16');
      await page.keyboard.press('Enter');
      await waitForTerminal(page, 'protected:xl', 'created domain 3');
      await openTab(page, 'Page tables');
      const tables = page.getByTestId('page-tables-panel');
      await tables.getByTestId('inspect-host').selectOption('protected');
      const domains = async (): Promise<string> => (await tables.getByTestId('inspect-domain').locator('option').allTextContents()).join('|');
      await expect.poll(domains, { timeout: 10_000 }).toMatch(/dom3 vm3 \(crashed\)/);
      await tables.getByTestId('inspect-domain').selectOption('3');
      await tables.getByTestId('pt-stage').selectOption('g-stage');
      await tables.getByTestId('pt-flagged').check();
      const refused = tables.locator('[data-testid="pt-table"] tbody tr[data-status="refused"]');
      await expect.poll(() => refused.count(), { timeout: 10_000 }).toBe(1);
      expect(await refused.textContent()).toMatch(/0x80000000.*0x87800000.*monitor.*refused/);
      expect(await contrastOf(page, '[data-testid="pt-table"] tbody tr[data-status="refused"] td')).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: join(ARTIFACTS, 'inspect-page-tables-refused.png') });
      await expect.poll(() => page.getByTestId('domain-protected-3').textContent(), { timeout: 10_000 }).toMatch(/fail-stopped|crashed/);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 240_000);
});
