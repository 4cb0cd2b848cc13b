// Builds the Node bundles (CLI, host worker, server) once before any test, so tests run the
// same JavaScript that `npx cloudvisor-lab` and the Electron app run.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['build/build.mjs', 'node'], { stdio: 'inherit' });
}
