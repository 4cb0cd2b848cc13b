// Helpers the panel end-to-end tests share: a side-by-side lab (bare and protected hosts with one
// labOS guest each), opening the page, reading a terminal's text, waiting for a guest's shell,
// opening a tab, and collecting page errors (a CSP violation or a failed load shows up there).
import type { ConsoleMessage, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { MachineConfig } from '../../../core/lab/machine-config';
import { startLab, type RunningLab } from './lab-server';

/** One labOS guest on each of a bare and a protected host (consoles bare:dom1, protected:dom1). */
export const SIDE_BY_SIDE: MachineConfig = {
  kind: 'bare',
  mode: 'both',
  harts: 1,
  ramMiB: 96,
  guests: [{ name: 'vm1', image: 'labos', memoryMiB: 32, vcpus: 1 }],
};

export function startSideBySideLab(seed: string): Promise<RunningLab> {
  return startLab({ machine: SIDE_BY_SIDE, seed });
}

export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return errors;
}

export async function openLab(page: Page, lab: RunningLab): Promise<void> {
  await page.goto(lab.server.url);
  await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 30_000 }).toContain('Connected');
}

export async function openTab(page: Page, id: string): Promise<void> {
  await page.locator(`[data-tab="${id}"]`).click();
}

/** The text a terminal shows now (xterm's DOM renderer draws one div per row). */
export function terminalText(page: Page, consoleName: string): Promise<string> {
  return page
    .locator(`[data-console="${consoleName}"] .xterm-rows`)
    .evaluate((rows) => (rows.textContent ?? '').replace(/\u00a0/g, ' '));
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Opens a guest's console and waits until it shows more shell prompts than `seen`. */
export async function waitForPrompt(page: Page, consoleName: string, seen = 0, timeout = 180_000): Promise<number> {
  await openTab(page, `console:${consoleName}`);
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page, consoleName);
    if (count(text, 'labos> ') > seen) return count(text, 'labos> ');
    await page.waitForTimeout(250);
  }
  throw new Error(`${consoleName} never showed a new prompt; it shows:\n${text}`);
}

/** Types a line into a guest's console through the terminal, as a user does. */
export async function typeLine(page: Page, consoleName: string, line: string): Promise<void> {
  await openTab(page, `console:${consoleName}`);
  await page.locator(`[data-console="${consoleName}"]`).click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

export async function promptCount(page: Page, consoleName: string): Promise<number> {
  await openTab(page, `console:${consoleName}`);
  return count(await terminalText(page, consoleName), 'labos> ');
}

/**
 * WCAG 2.x contrast ratio of an element's text against the first opaque background behind it
 * (its own or an ancestor's), from the computed styles the page really uses.
 */
export function contrastOf(page: Page, selector: string): Promise<number> {
  // Runs in the page; a string, since these tests type-check without the DOM library.
  return page.evaluate(`((element) => {
    const parse = (color) => (color.match(/[\\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]) => {
      const channel = (c) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    let background = [255, 255, 255];
    for (let node = element; node; node = node.parentElement) {
      const parts = parse(getComputedStyle(node).backgroundColor);
      if (parts.length === 3 || (parts[3] ?? 0) >= 1) {
        background = parts.slice(0, 3);
        break;
      }
    }
    const fg = luminance(parse(getComputedStyle(element).color));
    const bg = luminance(background);
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  })(document.querySelector(${JSON.stringify(selector)}))`);
}
