// The VMM as the lab ships it: one ES module bundle (dist/vmm/vmm.bundle.js, built from
// core/vmm/entry.ts by build/build.mjs) with its source map, read once per process.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface VmmBundle {
  readonly code: string;
  readonly sourceMap: string;
  readonly fileName: string;
  /** The bytes the firmware measures into the TPM as the next stage. */
  readonly bytes: Uint8Array;
}

let cached: VmmBundle | null = null;

function bundlePath(): string {
  const candidates = [
    new URL('../vmm/vmm.bundle.js', import.meta.url), // running from dist/node
    new URL('../../../dist/vmm/vmm.bundle.js', import.meta.url), // running from core/lab/host sources
  ];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new Error('the VMM bundle is not built: run `npm run build:node` first');
}

export function loadVmmBundle(): VmmBundle {
  if (cached) return cached;
  const path = bundlePath();
  const bytes = readFileSync(path);
  const mapPath = `${path}.map`;
  cached = {
    code: bytes.toString('utf8'),
    sourceMap: existsSync(mapPath) ? readFileSync(mapPath, 'utf8') : '',
    fileName: 'vmm.bundle.js',
    bytes: new Uint8Array(bytes),
  };
  return cached;
}
