import { describe, expect, it } from 'vitest';
import { contentTypeOf, fileUnderRoot } from '../../core/lab/static-files';

describe('static files', () => {
  it('names the types the renderer needs, whatever the case of the extension', () => {
    expect(contentTypeOf('a/index.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('ts.worker-x.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('codicon.ttf')).toBe('font/ttf');
    expect(contentTypeOf('quickjs.wasm')).toBe('application/wasm');
    expect(contentTypeOf('unknown.bin')).toBe('application/octet-stream');
  });

  it('resolves paths inside the web root only', () => {
    expect(fileUnderRoot('/srv/web', '/')).toBe('/srv/web/index.html');
    expect(fileUnderRoot('/srv/web/', '/assets/a.js')).toBe('/srv/web/assets/a.js');
    expect(fileUnderRoot('/srv/web', '/../etc/passwd')).toBe('/srv/web/etc/passwd');
    expect(fileUnderRoot('/srv/web', '/../web2/x')).toBe('/srv/web/web2/x');
    expect(fileUnderRoot('/srv/web', 'x/../../../etc')).toBeNull();
    expect(fileUnderRoot('/srv/web', '/a\0.js')).toBeNull();
  });
});
