// Starts the real lab for a browser test: a LabHost (its worker running the demo machine) served
// by the real web server over dist/web, rebuilding dist/web first when the renderer sources are
// newer than the last build, so the test always exercises the current UI.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LabHost } from '../../../core/lab/lab-host';
import type { MachineConfig } from '../../../core/lab/machine-config';
import { startWebServer, type WebServer } from '../../../core/lab/web-server';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const WEB_ROOT = join(ROOT, 'dist', 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureWebBuild(): void {
  const index = join(WEB_ROOT, 'index.html');
  const sources = Math.max(newestMtime(join(ROOT, 'renderer')), newestMtime(join(ROOT, 'core', 'lab')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'build', 'build.mjs'), 'web'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 300_000,
  });
}

export interface RunningLab {
  readonly host: LabHost;
  readonly server: WebServer;
  close(): Promise<void>;
}

export interface StartLabOptions {
  /** The machine the host runs (the demo source when not given). */
  readonly machine?: MachineConfig;
  readonly seed?: string;
}

export async function startLab(options: StartLabOptions = {}): Promise<RunningLab> {
  ensureWebBuild();
  const host = new LabHost({
    autoStart: true,
    seed: options.seed ?? 'e2e-web-mode',
    ...(options.machine ? { machine: options.machine } : {}),
  });
  const server = await startWebServer({ lab: host, webRoot: WEB_ROOT, port: 0 });
  let closing: Promise<void> | null = null;
  return {
    host,
    server,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await host.close();
      })()),
  };
}
