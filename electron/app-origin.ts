// The renderer's origin in the desktop app, cvlab://app/, and the checks built on it: which URLs
// are our own pages (for IPC sender and navigation checks) and which file under dist/web a
// cvlab:// request may read (never anything outside it). Pure functions, no Electron import,
// so they are unit-tested directly. The file rules are the web mode's (core/lab/static-files.ts).
import { fileUnderRoot } from '../core/lab/static-files';

export const APP_SCHEME = 'cvlab';
export const APP_HOST = 'app';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** True only for a URL served by our own protocol (the top-level app page or its assets). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === `${APP_SCHEME}:` &&
      parsed.host === APP_HOST &&
      parsed.username === '' &&
      parsed.password === ''
    );
  } catch {
    return false;
  }
}

/** The file under `webRoot` that `url` names, or null if it is not ours or escapes webRoot. */
export function resolveAppFile(webRoot: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  return fileUnderRoot(webRoot, pathname);
}

/** What the sender check needs of an Electron WebFrameMain. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  isDestroyed(): boolean;
}

/** A lab IPC message is honoured only from a live top frame showing our own page. */
export function isTrustedFrame(frame: FrameLike | null | undefined): boolean {
  if (!frame || frame.isDestroyed()) return false;
  // Only the top frame: an iframe (even of our own origin) never gets the lab.
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}
