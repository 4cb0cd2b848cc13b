// Finds a Chromium for the end-to-end tests: CHROMIUM_PATH, then the usual system paths, then
// Playwright's own browser; if none, tries once to install Playwright's Chromium (needs the
// network). If there is still none it throws with the way to get one: a test never passes
// without having run in a real browser.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

function onPath(name: string): string | null {
  const found = spawnSync('which', [name], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  return path !== '' && existsSync(path) ? path : null;
}

function playwrightBrowser(): string | null {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export function findChromium(options: { allowInstall?: boolean } = {}): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  for (const path of SYSTEM_PATHS) if (existsSync(path)) return path;
  const named = onPath('chromium') ?? onPath('chromium-browser') ?? onPath('google-chrome');
  if (named) return named;
  const bundled = playwrightBrowser();
  if (bundled) return bundled;
  if (options.allowInstall ?? true) {
    try {
      execFileSync(process.execPath, [playwrightCli(), 'install', 'chromium'], {
        stdio: 'inherit',
        timeout: 300_000,
      });
    } catch {
      // Fall through to the explanation below: the network may be closed.
    }
    const installed = playwrightBrowser();
    if (installed) return installed;
  }
  throw new Error(
    'No Chromium found for the end-to-end tests. Install one (`apt-get install chromium`), ' +
      'or set CHROMIUM_PATH to a Chromium or Chrome executable, or run `npx playwright-core install chromium`.',
  );
}

function playwrightCli(): string {
  // cli.js is not in the package's exports map; find it next to package.json.
  return join(dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'cli.js');
}

/** Launch arguments for headless runs on a shared CI-like machine. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
