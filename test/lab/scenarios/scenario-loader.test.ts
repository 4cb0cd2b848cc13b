// Loading scenario files: a good file yields its scenario and patch; a file that does not compile,
// imports at run time, exports nothing or names an unknown defense fails with its name and why.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioLoadError, loadScenarioFile, loadScenarioSource } from '../../../core/lab/scenarios/scenario-loader';

const GOOD = `import type { Scenario } from '../../core/lab/scenarios/scenario';
const scenario: Scenario = {
  id: 'tiny',
  title: 'Tiny',
  description: 'A scenario for the loader test.',
  references: [],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'uptime' }],
  patch: { fileName: 'nothing.ts', source: 'export default definePatch({ name: "n", install() {} });' },
  goal: (facts) => ({ achieved: facts.exfiltrated.length > 0, summary: 'x' }),
  expected: { bare: 'defended', protected: 'defended', ablation: { eptx: 'defended' } },
};
export default scenario;
`;

function loadError(file: string, source: string): string {
  try {
    loadScenarioSource(file, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioLoadError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioLoadError');
}

describe('scenario loader', () => {
  it('loads a self-contained scenario with an inline patch', () => {
    const loaded = loadScenarioSource('tiny.ts', GOOD);
    expect(loaded.scenario.id).toBe('tiny');
    expect(loaded.patch).toMatchObject({ fileName: 'nothing.ts', path: null });
    expect(loaded.scenario.goal({ exfiltrated: [] } as never)).toEqual({ achieved: false, summary: 'x' });
  });

  it('reads a patch named by file from next to the scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    writeFileSync(join(dir, 'p.patch.ts'), 'export default definePatch({ name: "p", install() {} });\n');
    writeFileSync(join(dir, 's.ts'), GOOD.replace(/patch: \{[^\n]*\},/, "patch: { file: 'p.patch.ts' },"));
    const loaded = loadScenarioFile(join(dir, 's.ts'));
    expect(loaded.patch?.path).toBe(join(dir, 'p.patch.ts'));
    expect(loaded.patch?.source).toContain('definePatch');
    writeFileSync(join(dir, 'm.ts'), GOOD.replace(/patch: \{[^\n]*\},/, "patch: { file: 'missing.patch.ts' },"));
    expect(() => loadScenarioFile(join(dir, 'm.ts'))).toThrow(/m\.ts: its patch missing\.patch\.ts is missing/);
  });

  it('names a file that does not compile, with the position', () => {
    expect(loadError('bad.ts', 'const x = {;\nexport default x;\n')).toMatch(/^bad\.ts: does not compile:\n1:\d+: /);
  });

  it('refuses run-time imports', () => {
    expect(loadError('imp.ts', "import { readFileSync } from 'node:fs';\nexport default readFileSync;\n")).toMatch(/imports 'node:fs' at run time/);
  });

  it('refuses a file without a scenario, and unknown defenses', () => {
    expect(loadError('empty.ts', 'export const x = 1;\n')).toMatch(/does not export a scenario/);
    expect(loadError('abl.ts', GOOD.replace('ablation: { eptx:', 'ablation: { warp:'))).toMatch(/unknown defense 'warp'/);
    expect(loadError('ver.ts', GOOD.replace("bare: 'defended'", "bare: 'pwned'"))).toMatch(/expected\.bare must be one of/);
    expect(loadError('step.ts', GOOD.replace("{ guest: 'vm1', type", "{ guest: 'vm9', type"))).toMatch(/unknown guest 'vm9'/);
  });
});
