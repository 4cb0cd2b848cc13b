// Loads Monaco with only what the lab needs: the core editor and the TypeScript language
// (tokenizer + language service). Workers are bundled by Vite as local files, so the editor
// works offline and under a CSP that allows workers only from 'self' and blob:.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/languages/definitions/typescript/register';
// The editor API comes without its contributions; these are what writing a patch needs:
// completion (with snippets), hovers, parameter hints, find, jumping to errors and definitions,
// line comments, and Ctrl+M to let Tab leave the editor (keyboard users).
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
import 'monaco-editor/editor/contrib/parameterHints/browser/parameterHints';
import 'monaco-editor/editor/contrib/find/browser/findController';
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError';
import 'monaco-editor/editor/contrib/gotoSymbol/browser/goToCommands';
import 'monaco-editor/editor/contrib/comment/browser/comment';
import 'monaco-editor/editor/contrib/toggleTabFocusMode/browser/toggleTabFocusMode';
import {
  ScriptTarget,
  ModuleKind,
  ModuleResolutionKind,
  typescriptDefaults,
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';

let configured = false;

export function loadMonaco(): typeof monaco {
  if (configured) return monaco;
  configured = true;
  self.MonacoEnvironment = {
    getWorker: (_id: string, label: string): Worker =>
      label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker(),
  };
  typescriptDefaults.setCompilerOptions({
    target: ScriptTarget.ES2020,
    module: ModuleKind.ESNext,
    // Node resolution finds the hypervisor interface as the package 'hyp' (setPatchLibraries).
    moduleResolution: ModuleResolutionKind.NodeJs,
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    // The lab's patch compiler's library: ES2020, no DOM, no Node, as in the VMM's engine. The
    // language service takes library file names here, not tsconfig's short names.
    lib: ['lib.es2020.d.ts'],
  });
  typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
  return monaco;
}

let libraries: { dispose(): void }[] = [];

/**
 * Gives the TypeScript service the files the lab's patch compiler checks patches against (the
 * hypervisor interface, the VMM's declarations, definePatch), so completion and errors in the
 * editor match what a run on a host reports. Called again on reconnect: the old set is dropped.
 */
export function setPatchLibraries(files: readonly { readonly path: string; readonly text: string }[]): void {
  for (const lib of libraries) lib.dispose();
  libraries = files.map((f) => typescriptDefaults.addExtraLib(f.text, f.path));
}
