// Saved fuzzer findings (assets/fuzz): each JSON replays with the fuzzer's checker on the weakened
// monitor it was found on and not on the full one; its scenario twin loads in the catalog's format
// and the scenario runner gives the verdicts the file expects.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findingId, readFinding, replayFinding } from '../../../core/lab/fuzz/finding-file';
import { expectedVerdict, runOnce, type RunSpec } from '../../../core/lab/scenarios/runner';
import type { DefenseName } from '../../../core/lab/scenarios/scenario';
import { loadScenarioFile } from '../../../core/lab/scenarios/scenario-loader';

const DIR = fileURLToPath(new URL('../../../assets/fuzz/', import.meta.url));
const saved = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('saved fuzzer findings', () => {
  it('ship at least one, each with its scenario', () => {
    expect(saved.length).toBeGreaterThan(0);
    for (const file of saved) {
      const finding = readFinding(join(DIR, file));
      expect(file).toBe(`${findingId(finding)}.json`);
      expect(loadScenarioFile(join(DIR, `${findingId(finding)}.ts`)).scenario.origin).toMatchObject({ kind: 'fuzzer', invariant: finding.invariant });
    }
  });

  for (const file of saved) {
    it(`${file} replays on its weakened monitor and not on the full one`, async () => {
      const finding = readFinding(join(DIR, file));
      const weak = await replayFinding(finding);
      expect(weak.reproduced, weak.report.trace.join('\n')).toBe(true);
      const full = await replayFinding({ ...finding, defenses: {} });
      expect(full.report.violations).toEqual([]);
    }, 120_000);

    it(`${file}: the scenario runner agrees with the expected verdicts`, async () => {
      const finding = readFinding(join(DIR, file));
      const loaded = loadScenarioFile(join(DIR, `${findingId(finding)}.ts`));
      const off = (Object.keys(finding.defenses) as DefenseName[]).filter((name) => finding.defenses[name] === false);
      const specs: RunSpec[] = [{ mode: 'protected', defenseOff: null }, ...off.map((name): RunSpec => ({ mode: 'protected', defenseOff: name }))];
      for (const spec of specs) {
        const run = await runOnce(loaded, spec);
        const label = spec.defenseOff ?? 'all on';
        expect(`${label}: ${run.verdict}`, run.explanation).toBe(`${label}: ${expectedVerdict(loaded.scenario, spec)}`);
      }
    }, 180_000);
  }
});
