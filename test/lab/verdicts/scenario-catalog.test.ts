// The catalog the verdicts panel and the editor's templates use: every shipped scenario is listed
// with its expected verdicts and its patch source, read from assets/scenarios as the runner does.
import { describe, expect, it } from 'vitest';
import { listCatalog } from '../../../core/lab/verdicts/scenario-catalog';

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
