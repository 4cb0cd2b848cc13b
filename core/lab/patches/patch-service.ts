// Patches on the session's running VMM hosts, for the patch editor: compile once, load and install
// on the bare host, the protected one or both (hot, while guests run), unload, list. Compile
// errors come back as diagnostics at the patch's own line and column; an install() that throws is
// a fault naming its line, and the patch is disabled on that host only.
import { EngineError } from '../../sandbox/engine-errors';
import type { VmmHost } from '../host/vmm-host';
import { PATCH_GLOBALS_DTS } from '../../sandbox/patch-compiler';
import { patchDeclarations } from '../../vmm/patch-paths';
import { describePatchFault, patchCompiler, typesFile } from '../host/patch-loader';
import {
  LabError, type HostMode, type LoadedPatchInfo, type PatchDiagnosticInfo, type PatchRunResult, type PatchTarget,
} from '../protocol';

const MAX_SOURCE = 512 * 1024;

interface Loaded {
  readonly id: number;
  readonly name: string;
  readonly fileName: string;
  readonly source: string;
}

/**
 * The files the patch compiler type-checks a patch against, laid out for the editor's TypeScript
 * service: hyp.ts as the package 'hyp', the VMM's declarations that augment it, and the globals.
 */
export function patchEditorFiles(): { path: string; text: string }[] {
  return [
    { path: 'file:///node_modules/hyp/index.d.ts', text: typesFile('hyp.ts', 'core/sandbox/hyp.ts') },
    { path: 'file:///lab/vmm-patch-api.d.ts', text: patchDeclarations(typesFile('patch-api.d.ts', 'core/vmm/patch-api.d.ts')).text },
    { path: 'file:///lab/patch-globals.d.ts', text: PATCH_GLOBALS_DTS },
  ];
}

export class PatchService {
  private readonly loaded = new Map<HostMode, Loaded[]>();

  constructor(private readonly hosts: () => ReadonlyMap<HostMode, VmmHost>) {}

  /** Compiles `source` and installs it on every host `target` names. */
  load(fileName: string, source: string, target: PatchTarget): PatchRunResult[] {
    const modes = this.modesOf(target);
    if (!/^[\w.-]{1,80}\.ts$/.test(fileName)) throw new LabError('bad-request', `a patch file name is letters, digits, '.', '-' or '_' ending in .ts; got ${JSON.stringify(fileName)}`);
    if (source.length > MAX_SOURCE) throw new LabError('bad-request', `a patch is at most ${MAX_SOURCE} characters`);
    const compiled = patchCompiler().compile(fileName, source);
    const diagnostics: PatchDiagnosticInfo[] = compiled.diagnostics.map((d) => ({ ...d }));
    if (!compiled.ok) return modes.map((host) => ({ host, ok: false, diagnostics }));
    return modes.map((host) => {
      const vmm = this.host(host);
      try {
        const info = vmm.engine.loadPatch(compiled.patch);
        const outcome = vmm.engine.installPatch(info.id);
        const entry = { id: info.id, name: info.name, fileName, source };
        this.list(host).push(entry);
        const patch = this.describe(host, entry);
        return outcome.ok
          ? { host, ok: true, patch, diagnostics }
          : { host, ok: false, patch, diagnostics, fault: describePatchFault(outcome.fault) };
      } catch (error) {
        // The module body itself threw (or ran away) while loading: nothing was installed.
        const where = error instanceof EngineError && error.frames[0] ? ` at ${error.frames[0].file}:${error.frames[0].line}:${error.frames[0].column}` : '';
        return { host, ok: false, diagnostics, fault: `loading ${fileName} failed: ${error instanceof Error ? error.message : String(error)}${where}` };
      }
    });
  }

  /** Undoes a patch's hooks and wrappers and runs its uninstall(); it leaves the host's list. */
  unload(host: HostMode, id: number): LoadedPatchInfo[] {
    const list = this.list(host);
    const index = list.findIndex((p) => p.id === id);
    if (index < 0) throw new LabError('bad-request', `no patch ${id} is loaded on the ${host} host`);
    const vmm = this.host(host);
    if (vmm.engine.patchState(id) === 'installed') vmm.engine.uninstallPatch(id);
    list.splice(index, 1);
    return this.patches();
  }

  patches(): LoadedPatchInfo[] {
    const out: LoadedPatchInfo[] = [];
    for (const host of this.hosts().keys()) for (const entry of this.list(host)) out.push(this.describe(host, entry));
    return out;
  }

  /** The hosts were rebuilt (a new machine): their engines hold none of the old patches. */
  forget(): void {
    this.loaded.clear();
  }

  private describe(host: HostMode, entry: Loaded): LoadedPatchInfo {
    return { host, id: entry.id, name: entry.name, fileName: entry.fileName, state: this.host(host).engine.patchState(entry.id), source: entry.source };
  }

  private modesOf(target: PatchTarget): HostMode[] {
    const available = [...this.hosts().keys()];
    if (target === 'both') {
      if (available.length < 2) throw new LabError('bad-request', `this session runs only a ${available.join(', ') || 'no'} host; there is no second host to run the patch on`);
      return available;
    }
    if (target !== 'bare' && target !== 'protected') throw new LabError('bad-request', `target must be bare, protected or both; got ${JSON.stringify(target)}`);
    if (!available.includes(target)) throw new LabError('bad-request', `this session runs no ${target} host`);
    return [target];
  }

  private host(mode: HostMode): VmmHost {
    const host = this.hosts().get(mode);
    if (!host) throw new LabError('bad-request', `this session runs no ${mode} host`);
    return host;
  }

  private list(host: HostMode): Loaded[] {
    let list = this.loaded.get(host);
    if (!list) {
      list = [];
      this.loaded.set(host, list);
    }
    return list;
  }
}
