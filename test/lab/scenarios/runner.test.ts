// The whole catalog on real hosts: every shipped scenario runs once on a bare host and once under
// CloudVisor with real labOS guests, and every verdict must be the one the scenario expects. A
// defended run lost and altered nothing. Ablation: with the defense that stops an attack switched
// off (and every other defense on), the same attack succeeds.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../core/lab/scenarios/catalog';
import { formatCatalogTable } from '../../../core/lab/scenarios/report';
import { runOnce, runScenario } from '../../../core/lab/scenarios/runner';
import type { DefenseName } from '../../../core/lab/scenarios/scenario';

const catalog = loadCatalog();
const byId = (id: string) => {
  const found = catalog.find((c) => c.scenario.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
};

// One test per scenario, so a slow or stuck one is named; together they run the catalog once.
describe('the scenario catalog on bare and protected hosts', () => {
  for (const loaded of catalog) {
    it(`${loaded.scenario.id} gives its expected verdicts`, async () => {
      const report = await runScenario(loaded, { modes: ['bare', 'protected'] });
      const table = formatCatalogTable([report]);
      expect(report.runs.map((run) => `${run.mode}: ${run.verdict}`), `${table}\n${report.runs.map((r) => r.explanation).join('\n')}`).toEqual([
        `bare: ${loaded.scenario.expected.bare}`,
        `protected: ${loaded.scenario.expected.protected}`,
      ]);
      for (const run of report.runs) {
        // A defended run lost and altered nothing, and under CloudVisor it names the mechanism
        // (interrupt injection is allowed by design: labOS defends itself there).
        if (run.verdict === 'defended') expect([...run.lost, ...run.altered]).toEqual([]);
        if (run.verdict === 'defended' && run.mode === 'protected' && report.id !== 'interrupt-injection') expect(run.defendedBy.length).toBeGreaterThan(0);
        // A guest the monitor did not stop and that still answers passes its own selftest.
        if (run.mode === 'protected') {
          for (const g of run.guests) if (g.failStopped === null && g.selftest !== 'no answer') expect(g.selftest, g.name).toBe('ok');
        }
      }
    }, 300_000);
  }
});

describe('ablation: the defense switched off lets the attack through', () => {
  const cases: [string, DefenseName][] = [['steal-secret', 'eptx'], ['freed-page-leak', 'zeroing'], ['dma-into-guest', 'iommu'], ['disk-image-read', 'diskCrypto'], ['disk-tamper', 'diskCrypto']];
  for (const [id, defense] of cases) {
    it(`${id} with ${defense} off`, async () => {
      const loaded = byId(id);
      const run = await runOnce(loaded, { mode: 'protected', defenseOff: defense });
      expect(run.expected).toBe('compromised');
      expect(run.verdict, run.explanation).toBe('compromised');
      expect(run.lost.length + run.altered.length).toBeGreaterThan(0);
    }, 180_000);
  }
});
