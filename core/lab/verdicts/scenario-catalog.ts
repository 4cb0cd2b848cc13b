// The scenario catalog as the UI sees it: every scenario shipped in assets/scenarios, with its
// expected verdicts and its patch source (the editor's templates), and runs of one scenario on
// fresh hosts through the scenario runner. A file that does not load is listed with its error.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, type LoadedScenario } from '../scenarios/scenario-loader';
import { ALL_DEFENSES } from '../../cloudvisor/monitor-events';
import { expectedVerdict, runOnce } from '../scenarios/runner';
import type { DefenseName } from '../scenarios/scenario';
import { LabError, type CatalogEntry, type HostMode, type ScenarioRunResult, type ScenarioVerdict } from '../protocol';

/** The defenses a protected run can switch off, as the runner names them. */
export const DEFENSE_NAMES = Object.keys(ALL_DEFENSES) as DefenseName[];

function catalogDir(): string {
  for (const candidate of ['../../assets/scenarios/', '../../../assets/scenarios/']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new LabError('host-failed', 'the scenario catalog (assets/scenarios) is not next to the lab');
}

function scenarioFiles(): string[] {
  const dir = catalogDir();
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.patch.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => join(dir, name));
}

export function listCatalog(): CatalogEntry[] {
  return scenarioFiles().map((file): CatalogEntry => {
    const name = file.slice(file.lastIndexOf('/') + 1);
    try {
      const { scenario, patch } = loadScenarioFile(file);
      return {
        id: scenario.id,
        file: name,
        title: scenario.title,
        description: scenario.description,
        expected: { bare: scenario.expected.bare, protected: scenario.expected.protected, ablation: { ...scenario.expected.ablation } },
        patch: patch ? { fileName: patch.fileName, source: patch.source } : null,
        error: null,
      };
    } catch (error) {
      return { id: name.replace(/\.ts$/, ''), file: name, title: name, description: '', expected: null, patch: null, error: error instanceof Error ? error.message : String(error) };
    }
  });
}

function loadById(id: string): LoadedScenario {
  for (const file of scenarioFiles()) {
    try {
      const loaded = loadScenarioFile(file);
      if (loaded.scenario.id === id) return loaded;
    } catch {
      // A broken file is reported by listCatalog; it cannot be the one asked for by id.
    }
  }
  throw new LabError('bad-request', `no scenario ${JSON.stringify(id)} in the catalog`);
}

/** Refuses a run the catalog cannot make before any work is done: a defense off on a bare host, or one that does not exist. */
export function checkRunRequest(mode: HostMode, defenseOff: string | null): void {
  if (defenseOff !== null && (mode !== 'protected' || !(DEFENSE_NAMES as string[]).includes(defenseOff))) {
    throw new LabError('bad-request', `a defense can be switched off only on a protected run, and it is one of ${DEFENSE_NAMES.join(', ')}`);
  }
}

/** A run whose scenario is loaded: the verdict it should give, and the run itself. */
export interface PreparedRun {
  readonly expected: ScenarioVerdict | null;
  run(): Promise<ScenarioRunResult>;
}

export function prepareCatalogRun(id: string, mode: HostMode, defenseOff: string | null): PreparedRun {
  checkRunRequest(mode, defenseOff);
  const loaded = loadById(id);
  const spec = { mode, defenseOff: defenseOff as DefenseName | null };
  return {
    expected: expectedVerdict(loaded.scenario, spec),
    run: async () => JSON.parse(JSON.stringify(await runOnce(loaded, spec))) as ScenarioRunResult,
  };
}

/** One run: the bare host, or the protected one with all defenses or with one switched off. */
export async function runCatalogScenario(id: string, mode: HostMode, defenseOff: string | null): Promise<ScenarioRunResult> {
  return prepareCatalogRun(id, mode, defenseOff).run();
}
