// Compiles a user's VMM patch (TypeScript) against the hypervisor interface and the VMM's own
// declarations, and loads it live into a host's VMM engine. Diagnostics and patch faults carry
// the patch's own file, line and column.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PatchDiagnostic } from '../../sandbox/patch-compiler';
import { PatchCompiler } from '../../sandbox/patch-compiler';
import type { PatchFault, PatchInfo, PatchOutcome } from '../../sandbox/vmm-engine';
import { patchDeclarations } from '../../vmm/patch-paths';
import type { VmmHost } from './vmm-host';

export function typesFile(name: string, sourcePath: string): string {
  for (const candidate of [`../types/${name}`, `../../../${sourcePath}`]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  throw new Error(`the patch declarations (${name}) are missing: run \`npm run build:node\``);
}

let compiler: PatchCompiler | null = null;

export function patchCompiler(): PatchCompiler {
  compiler ??= new PatchCompiler({
    hypSource: typesFile('hyp.ts', 'core/sandbox/hyp.ts'),
    declarations: [patchDeclarations(typesFile('patch-api.d.ts', 'core/vmm/patch-api.d.ts'))],
  });
  return compiler;
}

export class PatchLoadError extends Error {
  override readonly name = 'PatchLoadError';
  constructor(
    message: string,
    readonly diagnostics: readonly PatchDiagnostic[],
  ) {
    super(message);
  }
}

export function formatDiagnostic(d: PatchDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.category} TS${d.code}: ${d.message}`;
}

/** Compiles, loads and installs a patch; throws PatchLoadError with the diagnostics when it cannot. */
export function applyPatch(host: VmmHost, fileName: string, source: string): { info: PatchInfo; outcome: PatchOutcome } {
  const result = patchCompiler().compile(fileName, source);
  if (!result.ok) {
    const errors = result.diagnostics.filter((d) => d.category === 'error');
    throw new PatchLoadError(`${fileName} does not compile:\n${errors.map(formatDiagnostic).join('\n')}`, result.diagnostics);
  }
  const info = host.engine.loadPatch(result.patch);
  return { info, outcome: host.engine.installPatch(info.id) };
}

/** One line for a patch that failed while loading, installing or running: name, phase, TS location. */
export function describePatchFault(fault: PatchFault): string {
  const top = fault.error.frames[0];
  const where = top ? ` at ${top.file}:${top.line}:${top.column}` : '';
  return `patch '${fault.patch.name}' failed (${fault.phase}) and was disabled: ${fault.error.message}${where}`;
}
