// `npm start`: launches the desktop app from the built dist/ (build.mjs ran just before). Where
// the Electron binary is not installed (offline installs, CI images), it says so plainly and
// points to the browser mode instead, exiting 1 rather than failing with a stack trace.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron executable, or the reason there is none. */
export function findElectron() {
  let path;
  try {
    // The electron package exports the binary's path; it throws if its install script never
    // downloaded the binary (e.g. npm install without network or with install scripts held back).
    path = require('electron');
  } catch (error) {
    return { path: null, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
  if (typeof path !== 'string' || !existsSync(path))
    return { path: null, reason: `the electron package points to ${String(path)}, which does not exist` };
  return { path, reason: null };
}

function main() {
  const electron = findElectron();
  if (!electron.path) {
    console.error(
      [
        'The Electron binary is not installed, so the desktop app cannot start.',
        `  (${electron.reason})`,
        'To use the lab in a browser instead, run:  npm run serve',
        'To get the desktop app, reinstall electron with network access: npm install electron',
      ].join('\n'),
    );
    process.exit(1);
  }
  const entry = join(root, 'dist', 'electron', 'main.mjs');
  if (!existsSync(entry)) {
    console.error('dist/electron/main.mjs is missing: run `node build/build.mjs` first (npm start does).');
    process.exit(1);
  }
  const child = spawn(electron.path, [entry, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
