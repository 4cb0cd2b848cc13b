// The catalog the verdicts panel and the editor's templates use: every shipped scenario is listed
// with its expected verdicts and its patch source, read from assets/scenarios as the runner does.
import { describe, expect, it } from 'vitest';
import { listCatalog, runCatalogScenario } from '../../../core/lab/verdicts/scenario-catalog';

describe('scenario catalog', () => {
  it('lists the shipped scenarios with their expectations and patches', () => {
    const catalog = listCatalog();
    expect(catalog.filter((c) => c.error !== null)).toEqual([]);
    const steal = catalog.find((c) => c.id === 'steal-secret');
    expect(steal?.expected).toMatchObject({ bare: 'compromised', protected: 'defended' });
    expect(steal?.patch?.source).toContain('definePatch');
    expect(catalog.every((c) => !c.file.endsWith('.patch.ts'))).toBe(true);
  }, 30_000);
});

describe('one scenario run', () => {
  it('runs the stealing scenario with EPT-x off: the monitor no longer stops it', async () => {
    const run = await runCatalogScenario('steal-secret', 'protected', 'eptx');
    expect(run).toMatchObject({ scenario: 'steal-secret', mode: 'protected', defenseOff: 'eptx' });
    expect(run.verdict).toBe('compromised');
    expect(run.exfiltrated.length).toBeGreaterThan(0);
  }, 180_000);

  it('refuses a defense that does not exist, or one switched off on a bare host', async () => {
    await expect(runCatalogScenario('steal-secret', 'protected', 'moat')).rejects.toThrow(/one of eptx/);
    await expect(runCatalogScenario('steal-secret', 'bare', 'eptx')).rejects.toThrow(/only on a protected run/);
    await expect(runCatalogScenario('no-such-scenario', 'bare', null)).rejects.toThrow(/no scenario/);
  }, 60_000);
});
