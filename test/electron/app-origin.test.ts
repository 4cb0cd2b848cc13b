// The desktop app's origin checks: which URLs count as our own page, which frames may use the
// lab over IPC, which files a cvlab:// request may read, and that the CSP header the protocol
// sends is the one the page declares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppUrl, isTrustedFrame, resolveAppFile } from '../../electron/app-origin';
import { CONTENT_SECURITY_POLICY } from '../../electron/content-security-policy';

const ROOT = join(import.meta.dirname, '..', '..');
const WEB = '/opt/lab/dist/web';

describe('app origin', () => {
  it.each([
    ['cvlab://app/index.html', true],
    ['cvlab://app/assets/index-abc.js', true],
    ['cvlab://evil/index.html', false],
    ['cvlab://user:pw@app/index.html', false],
    ['http://app/index.html', false],
    ['file:///opt/lab/dist/web/index.html', false],
    ['not a url', false],
  ])('isAppUrl(%s) is %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });

  it('trusts only a live top frame showing our page', () => {
    const frame = (url: string, parent: unknown = null, destroyed = false) => ({
      url,
      parent,
      isDestroyed: () => destroyed,
    });
    expect(isTrustedFrame(frame('cvlab://app/index.html'))).toBe(true);
    expect(isTrustedFrame(frame('cvlab://app/index.html', {}))).toBe(false);
    expect(isTrustedFrame(frame('cvlab://app/index.html', null, true))).toBe(false);
    expect(isTrustedFrame(frame('https://example.com/'))).toBe(false);
    expect(isTrustedFrame(null)).toBe(false);
  });

  it('maps requests to files under dist/web and nowhere else', () => {
    expect(resolveAppFile(WEB, 'cvlab://app/')).toBe(`${WEB}/index.html`);
    expect(resolveAppFile(WEB, 'cvlab://app/assets/a.js?x=1#y')).toBe(`${WEB}/assets/a.js`);
    expect(resolveAppFile(WEB, 'cvlab://app/assets/../index.html')).toBe(`${WEB}/index.html`);
    // Dot segments, plain or escaped, are clamped at the root: the result stays inside dist/web.
    expect(resolveAppFile(WEB, 'cvlab://app/%2e%2e/%2e%2e/etc/passwd')).toBe(`${WEB}/etc/passwd`);
    expect(resolveAppFile(WEB, 'cvlab://app/..%2f..%2fetc%2fpasswd')).toBe(`${WEB}/etc/passwd`);
    expect(resolveAppFile(WEB, 'cvlab://app/..%5c..%5cetc')).toMatch(new RegExp(`^${WEB}/`));
    expect(resolveAppFile(WEB, 'cvlab://app/a%00.js')).toBeNull();
    expect(resolveAppFile(WEB, 'cvlab://app/%E0%A4%A')).toBeNull();
    expect(resolveAppFile(WEB, 'cvlab://other/index.html')).toBeNull();
    expect(resolveAppFile(`${WEB}/`, 'cvlab://app/index.html')).toBe(`${WEB}/index.html`);
  });

  it('sends the same CSP as the page declares', () => {
    const html = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
  });
});
