// Loads Monaco with only what the lab needs: the core editor and the TypeScript language
// (tokenizer + language service). Workers are bundled by Vite as local files, so the editor
// works offline and under a CSP that allows workers only from 'self' and blob:.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/languages/definitions/typescript/register';
import {
  ScriptTarget,
  ModuleKind,
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
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    lib: ['es2022'],
  });
  typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
  return monaco;
}
