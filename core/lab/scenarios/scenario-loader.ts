// Loads a scenario file at run time. Scenario files are trusted lab code written in TypeScript;
// they are transpiled with the `typescript` package (types are erased, not checked: the catalog
// test type-checks the shipped files) and evaluated as a CommonJS module with no `require`, so a
// file can use `import type` only. The patch a scenario names is read from next to the file.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import ts from 'typescript';
import { ALL_DEFENSES } from '../../cloudvisor/monitor-events';
import type { Scenario, Verdict } from './scenario';

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The scenario file, or a label for one built in memory (e.g. a grading run). */
  readonly file: string;
  /** The patch to apply: its file name (for diagnostics) and source; null for none. */
  readonly patch: { readonly fileName: string; readonly source: string; readonly path: string | null } | null;
}

export class ScenarioLoadError extends Error {
  override readonly name = 'ScenarioLoadError';
}

const VERDICTS: readonly Verdict[] = ['compromised', 'defended', 'out-of-scope', 'error'];

function fail(file: string, why: string): never {
  throw new ScenarioLoadError(`${file}: ${why}`);
}

/** Transpiles and evaluates a scenario module; returns its default export, unchecked. */
function evaluate(file: string, source: string): unknown {
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const text = errors.map((d) => {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
      return `${pos ? `${pos.line + 1}:${pos.character + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    fail(file, `does not compile:\n${text.join('\n')}`);
  }
  const module = { exports: {} as Record<string, unknown> };
  const require = (name: string): never =>
    fail(file, `imports '${name}' at run time; a scenario file may only use \`import type\` (everything a goal needs comes in its facts)`);
  try {
    // The file is the lab's own trusted code, as a test file is: it runs in this process.
    new Function('exports', 'module', 'require', out.outputText)(module.exports, module, require);
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw error;
    fail(file, `failed while loading: ${error instanceof Error ? error.message : String(error)}`);
  }
  return module.exports.default;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Checks the parts a runner relies on, so a malformed file fails here with its name. */
export function validateScenario(file: string, value: unknown): Scenario {
  if (!isRecord(value)) fail(file, 'does not export a scenario (`export default scenario;` with a Scenario object)');
  for (const key of ['id', 'title', 'description'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') fail(file, `the scenario has no ${key}`);
  }
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(value.id as string)) fail(file, `id '${String(value.id)}' is not kebab-case`);
  if (!Array.isArray(value.references)) fail(file, 'the scenario has no references list');
  if (!Array.isArray(value.guests) || value.guests.length === 0) fail(file, 'the scenario has no guests');
  const names = new Set<string>();
  for (const g of value.guests as unknown[]) {
    if (!isRecord(g) || typeof g.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(g.name)) fail(file, 'a guest needs a name (lower case)');
    if (names.has(g.name)) fail(file, `two guests are named ${g.name}`);
    names.add(g.name);
  }
  if (!Array.isArray(value.steps)) fail(file, 'the scenario has no steps list');
  for (const step of value.steps as unknown[]) {
    if (!isRecord(step)) fail(file, 'a step is not an object');
    if (typeof step.guest === 'string' && !names.has(step.guest)) fail(file, `a step names an unknown guest '${step.guest}'`);
  }
  if (typeof value.goal !== 'function') fail(file, 'the scenario has no goal(facts) function');
  const expected = value.expected;
  if (!isRecord(expected)) fail(file, 'the scenario has no expected verdicts');
  for (const mode of ['bare', 'protected'] as const) {
    if (!VERDICTS.includes(expected[mode] as Verdict)) fail(file, `expected.${mode} must be one of ${VERDICTS.join(', ')}`);
  }
  if (expected.ablation !== undefined) {
    if (!isRecord(expected.ablation)) fail(file, 'expected.ablation must map defenses to verdicts');
    for (const [name, verdict] of Object.entries(expected.ablation)) {
      if (!Object.hasOwn(ALL_DEFENSES, name)) fail(file, `expected.ablation names an unknown defense '${name}' (known: ${Object.keys(ALL_DEFENSES).join(', ')})`);
      if (!VERDICTS.includes(verdict as Verdict)) fail(file, `expected.ablation.${name} is not a verdict`);
    }
  }
  const patch = value.patch;
  if (patch !== null && !(isRecord(patch) && (typeof patch.file === 'string' || (typeof patch.fileName === 'string' && typeof patch.source === 'string')))) {
    fail(file, 'patch must be null, { file } or { fileName, source }');
  }
  return value as unknown as Scenario;
}

/** Resolves the scenario's patch: a file next to the scenario file, or its inline source. */
function patchOf(file: string, scenario: Scenario): LoadedScenario['patch'] {
  const patch = scenario.patch;
  if (patch === null) return null;
  if ('source' in patch) return { fileName: patch.fileName, source: patch.source, path: null };
  const path = resolve(dirname(file), patch.file);
  if (!existsSync(path)) fail(file, `its patch ${patch.file} is missing (looked for ${path})`);
  return { fileName: basename(path), source: readFileSync(path, 'utf8'), path };
}

/** Loads a scenario from source text (a file read elsewhere, or a fuzzer finding in memory). */
export function loadScenarioSource(file: string, source: string): LoadedScenario {
  const scenario = validateScenario(file, evaluate(file, source));
  return { scenario, file, patch: patchOf(file, scenario) };
}

export function loadScenarioFile(file: string): LoadedScenario {
  const path = resolve(file);
  if (!existsSync(path)) throw new ScenarioLoadError(`${file}: no such file`);
  return loadScenarioSource(path, readFileSync(path, 'utf8'));
}

/** The same scenario with another patch (an exercise graded against a submission). */
export function withPatch(loaded: LoadedScenario, fileName: string, source: string, path: string | null): LoadedScenario {
  return { ...loaded, patch: { fileName, source, path } };
}
