// Builds what the lab runs. Targets (default: all):
//   node      the CLI, the host and scenario workers, the benchmarks (dist/node) and the VMM bundle (dist/vmm)
//   web       the renderer (dist/web, Vite)
//   electron  the Electron main process and preload (dist/electron, esbuild)
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const targets = process.argv.slice(2);
const wanted = (name) => targets.length === 0 || targets.includes(name);

const nodeCommon = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native or WebAssembly-carrying packages stay outside the bundle and load from node_modules.
  external: ['quickjs-emscripten', '@jitl/*', 'typescript', 'ws', 'fflate', 'electron'],
  banner: { js: "import { createRequire as __cvlCreateRequire } from 'node:module'; const require = __cvlCreateRequire(import.meta.url);" },
};

async function buildNode() {
  const entryPoints = {
    cli: 'core/lab/cli.ts',
    'host-worker': 'core/lab/host-worker.ts',
    // Scenario runs get a thread of their own, started by the host worker from the same folder.
    'scenario-worker': 'core/lab/verdicts/scenario-worker.ts',
  };
  if (existsSync(join(root, 'test/bench/main.ts'))) entryPoints.bench = 'test/bench/main.ts';
  await build({ ...nodeCommon, entryPoints, outdir: 'dist/node', outExtension: { '.js': '.mjs' } });
}

// The VMM runs inside the QuickJS engine: one plain ES2020 module, no Node, with a source map so
// its errors and patch faults point at TypeScript lines.
async function buildVmm() {
  await build({
    absWorkingDir: root,
    entryPoints: ['core/vmm/entry.ts'],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'neutral',
    sourcemap: 'external',
    logLevel: 'warning',
    outfile: 'dist/vmm/vmm.bundle.js',
  });
}

// The declarations patches are checked against (and the editor loads): copied as they are.
function copyPatchTypes() {
  mkdirSync(join(root, 'dist/types'), { recursive: true });
  copyFileSync(join(root, 'core/sandbox/hyp.ts'), join(root, 'dist/types/hyp.ts'));
  copyFileSync(join(root, 'core/vmm/patch-api.d.ts'), join(root, 'dist/types/patch-api.d.ts'));
}

async function buildElectron() {
  if (!existsSync(join(root, 'electron/main.ts'))) return;
  await build({ ...nodeCommon, entryPoints: { main: 'electron/main.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.mjs' } });
  // Sandboxed preloads must be CommonJS and may require only 'electron' (and a few Node modules).
  await build({
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['electron'],
    entryPoints: { preload: 'electron/preload.ts' },
    outdir: 'dist/electron',
    outExtension: { '.js': '.cjs' },
  });
}

function buildWeb() {
  const config = join(root, 'renderer/vite.config.ts');
  if (!existsSync(config)) return;
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('the renderer build failed');
}

try {
  if (wanted('node')) await buildNode();
  if (wanted('node') || wanted('vmm')) {
    await buildVmm();
    copyPatchTypes();
  }
  if (wanted('electron')) await buildElectron();
  if (wanted('web')) buildWeb();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
