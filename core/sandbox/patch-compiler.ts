// Compiles a user's patch (one TypeScript module) for the VMM engine: a real type check with the
// TypeScript compiler API over an in-memory host (ES2020 library only, no DOM or Node; `hyp.ts` as
// module 'hyp'; the VMM's declaration files as a parameter), then emit as an ES module with a
// source map. Invariant: nothing is emitted unless the check is clean, so a patch with a type
// error never runs; every diagnostic carries 1-based line and column in the patch's own file.
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { CompiledPatch } from './compiled-patch';

export interface DeclarationFile {
  /** A name ending in .d.ts, e.g. "vmm.d.ts". */
  readonly fileName: string;
  readonly text: string;
}

export interface PatchDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** TypeScript's code (TS2322 -> 2322), or 0 for the lab's own patch rules. */
  readonly code: number;
  readonly category: 'error' | 'warning' | 'message';
}

export type PatchCompileResult =
  | { readonly ok: true; readonly patch: CompiledPatch; readonly diagnostics: readonly PatchDiagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly PatchDiagnostic[] };

export interface PatchCompilerOptions {
  /** The text of core/sandbox/hyp.ts (see readHypSource). */
  readonly hypSource: string;
  /** The VMM's own declarations; they may augment 'hyp' (`declare module 'hyp' { interface VmmHooks {...} }`). */
  readonly declarations?: readonly DeclarationFile[];
}

const ROOT = '/lab/';
const PATCH_DIR = '/lab/patches/';
const HYP_FILE = '/lab/hyp.ts';
const GLOBALS_FILE = '/lab/patch-globals.d.ts';
/** Ambient declarations every patch sees (the patch editor adds them next to hyp.ts as module 'hyp'). */
export const PATCH_GLOBALS_DTS = `// What a patch may use without importing: definePatch (the VMM engine provides it).
declare function definePatch(definition: import('hyp').PatchDefinition): import('hyp').PatchDefinition;
`;

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.ESNext,
  lib: ['lib.es2020.d.ts'],
  types: [],
  strict: true,
  noEmitOnError: true,
  sourceMap: true,
  inlineSources: true,
  isolatedModules: true,
  skipLibCheck: true,
  noFallthroughCasesInSwitch: true,
  newLine: ts.NewLineKind.LineFeed,
};

/** Library files parsed once per process: they are large and never change. */
const libCache = new Map<string, ts.SourceFile>();

function libFile(path: string): ts.SourceFile | undefined {
  const cached = libCache.get(path);
  if (cached !== undefined) return cached;
  const text = ts.sys.readFile(path);
  if (text === undefined) return undefined;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2020, true);
  libCache.set(path, file);
  return file;
}

const PATCH_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.ts$/;

export class PatchCompiler {
  private readonly libDir = dirname(ts.getDefaultLibFilePath(OPTIONS));
  private readonly fixed = new Map<string, ts.SourceFile>();
  /** The previous program: TypeScript reuses its unchanged files' structure. */
  private last: ts.Program | undefined;

  constructor(options: PatchCompilerOptions) {
    this.fixed.set(HYP_FILE, ts.createSourceFile(HYP_FILE, options.hypSource, ts.ScriptTarget.ES2020, true));
    this.fixed.set(GLOBALS_FILE, ts.createSourceFile(GLOBALS_FILE, PATCH_GLOBALS_DTS, ts.ScriptTarget.ES2020, true));
    for (const d of options.declarations ?? []) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.d\.ts$/.test(d.fileName)) {
        throw new Error(`declaration file name '${d.fileName}' must be a plain name ending in .d.ts`);
      }
      this.fixed.set(ROOT + d.fileName, ts.createSourceFile(ROOT + d.fileName, d.text, ts.ScriptTarget.ES2020, true));
    }
  }

  /** Type-checks and compiles one patch. Never throws for bad source: problems are diagnostics. */
  compile(fileName: string, source: string): PatchCompileResult {
    if (!PATCH_NAME.test(fileName)) {
      return { ok: false, diagnostics: [labDiagnostic(fileName, 1, 1, `patch file name '${fileName}' must be a plain name ending in .ts`)] };
    }
    const path = PATCH_DIR + fileName;
    const patchFile = ts.createSourceFile(path, source, ts.ScriptTarget.ES2020, true);
    const program = ts.createProgram({
      rootNames: [path, GLOBALS_FILE, ...this.declarationPaths()],
      options: OPTIONS,
      host: this.host(patchFile),
      ...(this.last === undefined ? {} : { oldProgram: this.last }),
    });
    this.last = program;
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSyntacticDiagnostics(),
      ...program.getSemanticDiagnostics(),
    ].map((d) => toDiagnostic(d, fileName));
    diagnostics.push(...patchRules(program, patchFile, fileName));
    if (diagnostics.some((d) => d.category === 'error')) return { ok: false, diagnostics };
    return this.emit(program, patchFile, fileName, diagnostics);
  }

  private declarationPaths(): string[] {
    return [...this.fixed.keys()].filter((p) => p !== HYP_FILE && p !== GLOBALS_FILE);
  }

  private emit(program: ts.Program, patchFile: ts.SourceFile, fileName: string, diagnostics: PatchDiagnostic[]): PatchCompileResult {
    let js = '';
    let map = '';
    const result = program.emit(patchFile, (name, text) => {
      if (name.endsWith('.js.map')) map = text;
      else if (name.endsWith('.js')) js = text;
    });
    diagnostics.push(...result.diagnostics.map((d) => toDiagnostic(d, fileName)));
    if (result.emitSkipped || js === '' || map === '') {
      diagnostics.push(labDiagnostic(fileName, 1, 1, 'the patch could not be compiled'));
      return { ok: false, diagnostics };
    }
    const sourceMap = { ...(JSON.parse(map) as Record<string, unknown>), sources: [fileName], sourceRoot: '' };
    // The engine gets the map directly; a URL comment would only point nowhere.
    js = js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
    return { ok: true, patch: { fileName, js, sourceMap: JSON.stringify(sourceMap) }, diagnostics };
  }

  private host(patchFile: ts.SourceFile): ts.CompilerHost {
    const fileOf = (path: string): ts.SourceFile | undefined => {
      if (path === patchFile.fileName) return patchFile;
      const fixed = this.fixed.get(path);
      if (fixed !== undefined) return fixed;
      return path.startsWith(this.libDir) ? libFile(path) : undefined;
    };
    return {
      getSourceFile: fileOf,
      getDefaultLibFileName: () => join(this.libDir, 'lib.es2020.d.ts'),
      getDefaultLibLocation: () => this.libDir,
      writeFile: () => undefined,
      getCurrentDirectory: () => ROOT,
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (path) => fileOf(path) !== undefined,
      readFile: (path) => fileOf(path)?.text,
      directoryExists: (dir) => dir === '/lab' || dir.startsWith(ROOT) || dir.startsWith(this.libDir),
      getDirectories: () => [],
      resolveModuleNameLiterals: (literals) => literals.map((lit) => ({
        resolvedModule: lit.text === 'hyp' ? { resolvedFileName: HYP_FILE, extension: ts.Extension.Ts, isExternalLibraryImport: false } : undefined,
      })),
    };
  }
}

function labDiagnostic(file: string, line: number, column: number, message: string): PatchDiagnostic {
  return { file, line, column, message, code: 0, category: 'error' };
}

function toDiagnostic(d: ts.Diagnostic, patchName: string): PatchDiagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const category = d.category === ts.DiagnosticCategory.Error ? 'error'
    : d.category === ts.DiagnosticCategory.Warning ? 'warning' : 'message';
  if (d.file === undefined || d.start === undefined) return { file: patchName, line: 1, column: 1, message, code: d.code, category };
  const pos = d.file.getLineAndCharacterOfPosition(d.start);
  const file = d.file.fileName.startsWith(PATCH_DIR) ? d.file.fileName.slice(PATCH_DIR.length)
    : d.file.fileName.startsWith(ROOT) ? d.file.fileName.slice(ROOT.length) : d.file.fileName;
  return { file, line: pos.line + 1, column: pos.character + 1, message, code: d.code, category };
}

/** The lab's own rules: a default export, and no module loading at run time (the engine has none). */
function patchRules(program: ts.Program, file: ts.SourceFile, fileName: string): PatchDiagnostic[] {
  const out: PatchDiagnostic[] = [];
  const at = (node: ts.Node, message: string): void => {
    const pos = file.getLineAndCharacterOfPosition(node.getStart(file));
    out.push(labDiagnostic(fileName, pos.line + 1, pos.character + 1, message));
  };
  const symbol = program.getTypeChecker().getSymbolAtLocation(file);
  if (symbol === undefined || !symbol.exports?.has(ts.escapeLeadingUnderscores('default'))) {
    out.push(labDiagnostic(fileName, 1, 1, 'a patch must end with `export default definePatch({ name, install(vmm, hyp) { ... } })`'));
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !isTypeOnlyImport(node)) {
      at(node, "patches cannot import at run time: use `import type { ... } from 'hyp'` (the engine has no module loader)");
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && !node.isTypeOnly) {
      at(node, 'patches cannot re-export from other modules');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      at(node, 'patches cannot load modules: dynamic import() is not available in the VMM engine');
    } else if (ts.isRegularExpressionLiteral(node) || isGlobalUse(node, 'RegExp')) {
      at(node, 'regular expressions are not available in the VMM engine (a backtracking match cannot be interrupted)');
    } else if (isGlobalUse(node, 'Date')) {
      at(node, 'the VMM engine has no wall clock: use hyp.timer.now() (virtual time keeps runs deterministic)');
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** `name` used as a value (called, constructed or read), not as a type or a property name. */
function isGlobalUse(node: ts.Node, name: string): boolean {
  if (!ts.isIdentifier(node) || node.text !== name) return false;
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isTypeReferenceNode(parent) || ts.isExpressionWithTypeArguments(parent) || ts.isPropertyAssignment(parent) && parent.name === node) return false;
  return ts.isExpression(parent) || ts.isExpressionStatement(parent) || ts.isVariableDeclaration(parent) && parent.initializer === node;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
}
