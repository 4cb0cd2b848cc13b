// Where the shipped scenarios and exercises live, and how a folder of them is listed: every
// `.ts` file that is not a patch (`*.patch.ts`, the patches the scenarios name) is a scenario.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, type LoadedScenario } from './scenario-loader';

/** The shipped folder `assets/<name>`, from the source tree or from the built bundle in dist/. */
export function assetsFolder(name: 'scenarios' | 'exercises'): string {
  for (const candidate of [`../../../assets/${name}`, `../../assets/${name}`]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`the ${name} folder (assets/${name}) is missing`);
}

export function scenarioFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.patch.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join(folder, f));
}

export function loadCatalog(folder = assetsFolder('scenarios')): LoadedScenario[] {
  return scenarioFiles(folder).map((f) => loadScenarioFile(f));
}

/** An exercise by id (its file name without .ts) or by path. */
export function findExercise(nameOrPath: string): LoadedScenario {
  const byPath = nameOrPath.endsWith('.ts') && existsSync(nameOrPath);
  const loaded = loadScenarioFile(byPath ? nameOrPath : join(assetsFolder('exercises'), `${nameOrPath}.ts`));
  if (!loaded.scenario.exercise) throw new Error(`${loaded.file} is a scenario without an exercise section`);
  return loaded;
}
