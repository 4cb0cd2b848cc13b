// The shipped scenario and exercise files: each type-checks against the scenario format (strict,
// as the rest of the lab), loads, has a unique id, and every patch they name compiles against the
// hypervisor interface. Running them is runner.test.ts's job.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { patchCompiler } from '../../../core/lab/host/patch-loader';
import { assetsFolder, loadCatalog, scenarioFiles } from '../../../core/lab/scenarios/catalog';
import { loadScenarioFile } from '../../../core/lab/scenarios/scenario-loader';

const files = [...scenarioFiles(assetsFolder('scenarios')), ...scenarioFiles(assetsFolder('exercises'))];

describe('the scenario catalog', () => {
  it('has at least 15 scenarios with unique ids', () => {
    const catalog = loadCatalog();
    expect(catalog.length).toBeGreaterThanOrEqual(15);
    const ids = catalog.map((c) => c.scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('type-checks every scenario and exercise file', () => {
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: true,
      types: ['node'], lib: ['lib.es2023.d.ts'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  }, 120_000);

  it('compiles every patch the scenarios and exercises name', () => {
    for (const file of files) {
      const loaded = loadScenarioFile(file);
      if (!loaded.patch) continue;
      const result = patchCompiler().compile(loaded.patch.fileName, loaded.patch.source);
      const errors = result.ok ? [] : result.diagnostics.filter((d) => d.category === 'error').map((d) => `${file}: ${d.message}`);
      expect(errors).toEqual([]);
    }
  }, 120_000);

  it('gives every exercise a goal, hints and a starting patch a student can open', () => {
    const exercises = scenarioFiles(assetsFolder('exercises')).map((f) => loadScenarioFile(f));
    expect(exercises.length).toBeGreaterThanOrEqual(6);
    for (const e of exercises) {
      expect(e.scenario.exercise?.goal.length).toBeGreaterThan(20);
      expect(e.scenario.exercise?.hints.length).toBeGreaterThan(0);
      expect(e.patch?.path).not.toBeNull();
      expect(readFileSync(e.patch?.path ?? '', 'utf8')).toContain('definePatch');
    }
  });
});
