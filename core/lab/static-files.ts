// The renderer's built files as both servers hand them out (the web mode's HTTP server and the
// desktop app's cvlab:// protocol): which file a request path names, never one outside the web
// root, and the content type to send it with.
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The content type of a built file; unknown kinds go out as bytes (and are sent with nosniff). */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file under `webRoot` a decoded URL path names ('/' is index.html), or null if it escapes. */
export function fileUnderRoot(webRoot: string, pathname: string): string | null {
  if (pathname.includes('\0')) return null;
  const relative = normalize(pathname === '/' || pathname === '' ? '/index.html' : pathname);
  const root = normalize(webRoot);
  const file = join(root, relative);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}
