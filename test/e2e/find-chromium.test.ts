// How the end-to-end tests find a browser: CHROMIUM_PATH wins and must exist; otherwise a system
// Chromium is found. The "none at all" branch is not reachable on a machine that has one, and
// it throws rather than passing (see find-chromium.ts).
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium } from './support/find-chromium';

const saved = process.env.CHROMIUM_PATH;
afterEach(() => {
  if (saved === undefined) delete process.env.CHROMIUM_PATH;
  else process.env.CHROMIUM_PATH = saved;
});

describe('findChromium', () => {
  it('refuses a CHROMIUM_PATH that does not exist, naming it', () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    expect(() => findChromium({ allowInstall: false })).toThrow(
      'CHROMIUM_PATH is set to /nonexistent/chromium',
    );
  });

  it('uses CHROMIUM_PATH when it exists', () => {
    process.env.CHROMIUM_PATH = process.execPath; // any existing executable: only the lookup is tested
    expect(findChromium({ allowInstall: false })).toBe(process.execPath);
  });

  it('finds an existing browser without CHROMIUM_PATH', () => {
    delete process.env.CHROMIUM_PATH;
    const path = findChromium();
    expect(existsSync(path)).toBe(true);
  });
});
