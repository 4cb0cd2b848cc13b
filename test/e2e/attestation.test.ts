// The attestation panel in Chromium: each host's TPM quotes its PCRs with a fresh nonce, the
// quote is verified against the manufacturer CA (chain, signature, nonce, PCR digest and values),
// the firmware and VMM measurements match what a verifier expects, and two quotes of one host
// carry different nonces. Screenshot in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from './support/find-chromium';
import { collectErrors, openLab, openTab, startSideBySideLab } from './support/lab-page';
import { ROOT, type RunningLab } from './support/lab-server';

let lab: RunningLab;
let browser: Browser;

beforeAll(async () => {
  lab = await startSideBySideLab('e2e-attestation');
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

describe('attestation panel', () => {
  it('quotes both hosts and verifies each quote', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = collectErrors(page);
    try {
      await openLab(page, lab);
      await openTab(page, 'tools:attestation');
      for (const host of ['bare', 'protected']) {
        await expect.poll(() => page.getByTestId(`quote-${host}`).isEnabled(), { timeout: 30_000 }).toBe(true);
        await page.getByTestId(`quote-${host}`).click();
        const report = page.getByTestId(`attestation-${host}`);
        await report.waitFor({ timeout: 60_000 });
        expect(await report.getByTestId('attestation-verdict').textContent()).toBe('quote verified');
        const text = (await report.textContent()) ?? '';
        for (const check of ['chain', 'signature', 'nonce', 'pcrDigest', 'pcrValues']) expect(text).toContain(`pass: ${check}`);
        expect(text).not.toContain('NO');
      }
      // A second quote of the same host is a new one, bound to a new nonce.
      const nonce = async (): Promise<string> => (await page.getByTestId('attestation-bare').locator('dd').first().textContent()) ?? '';
      const first = await nonce();
      await page.getByTestId('quote-bare').click();
      await expect.poll(nonce, { timeout: 30_000 }).not.toBe(first);
      expect(await nonce()).toMatch(/^[0-9a-f]{64}$/);

      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'attestation.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);
});
