// The Electron main process: one window per app instance (a second launch focuses it), the
// renderer served from dist/web through the privileged cvlab:// protocol (never file://), a
// sandboxed, context-isolated renderer with only `window.lab`, and the LabHost (the emulated
// host's worker thread) owned here and served to each window over checked IPC.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, Menu, net, protocol, session } from 'electron';
import { LabHost } from '../core/lab/lab-host';
import { defaultBareConfig } from '../core/lab/machine-config';
import { contentTypeOf } from '../core/lab/static-files';
import { APP_SCHEME, APP_URL, isAppUrl, resolveAppFile } from './app-origin';
import { CONTENT_SECURITY_POLICY } from './content-security-policy';
import { serveLabOverIpc } from './lab-ipc';
import { buildMenu } from './menu';

// dist/electron/main.mjs -> the package root (app.asar when packaged).
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const webRoot = join(root, 'dist', 'web');
// Worker threads cannot load from inside an asar archive: dist/node is unpacked next to it.
const workerPath = join(root.replace(/app\.asar$/, 'app.asar.unpacked'), 'dist', 'node', 'host-worker.mjs');
const iconPath = join(root, 'assets', 'icons', 'icon.png');

protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
]);

let mainWindow: BrowserWindow | null = null;
let lab: LabHost | null = null;
let stopServing: (() => void) | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.whenReady().then(start, (error: unknown) => {
    console.error('CloudVisor Lab failed to start:', error);
    app.exit(1);
  });
}

function start(): void {
  lockDown();
  protocol.handle(APP_SCHEME, serveAppFile);
  // The desktop lab opens on what users come for: the same guests on a bare and a protected host.
  lab = new LabHost({ workerPath, autoStart: true, machine: defaultBareConfig(2, 'both') });
  stopServing = serveLabOverIpc(lab);
  Menu.setApplicationMenu(buildMenu(lab));
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}

async function serveAppFile(request: Request): Promise<Response> {
  const file = resolveAppFile(webRoot, request.url);
  if (!file) return new Response('not found', { status: 404 });
  const response = await net.fetch(pathToFileURL(file).href).catch(() => null);
  if (!response || !response.ok) return new Response('not found', { status: 404 });
  return new Response(response.body, {
    status: 200,
    headers: {
      'Content-Type': contentTypeOf(file),
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'CloudVisor Lab',
    backgroundColor: '#0b0f14',
    show: false,
    ...(existsSync(iconPath) ? { icon: iconPath } : {}),
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(APP_URL);
  return window;
}

// Copying from the editor or a console is the one permission the lab uses.
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** Nothing but our own pages: no navigation away, no new windows, no webviews, no permissions. */
function lockDown(): void {
  const allowed = (url: string, permission: string): boolean =>
    isAppUrl(url) && ALLOWED_PERMISSIONS.has(permission);
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) =>
    callback(allowed(contents.getURL(), permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, origin) =>
    allowed(origin, permission),
  );
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  stopServing?.();
  void lab?.close();
});
