// The fuzzer end to end on the real stack (protected host, two labOS guests, generated patches in
// the VMM's engine): a short seeded campaign against the full monitor finds nothing; with EPT-x
// switched off it finds the breach, minimizes it to a short sequence, saves it as JSON and as a
// scenario, and the saved finding replays.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../../../core/lab/fuzz/fuzz-campaign';
import { readFinding, replayFinding, writeFinding } from '../../../core/lab/fuzz/finding-file';
import { loadScenarioFile } from '../../../core/lab/scenarios/scenario-loader';

const out = mkdtempSync(join(tmpdir(), 'cvlab-fuzz-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('fuzz campaign', () => {
  it('finds no violation in a short seeded run against the full monitor', async () => {
    const report = await runCampaign({ seed: 'fuzz-short', steps: 24, batch: 24, join: false });
    expect(report.findings.map((f) => `[${f.invariant}] ${f.detail}`)).toEqual([]);
    expect(report.violations).toBe(0);
    expect(report.stepsRun).toBe(24);
    expect(report.opsPerSecond).toBeGreaterThan(0);
  }, 180_000);

  it('catches a monitor with EPT-x off, minimizes the breach and saves a finding that replays', async () => {
    const lines: string[] = [];
    const report = await runCampaign({ seed: 'fuzz-weak', steps: 24, batch: 24, join: false, defenses: { eptx: false }, onProgress: (l) => lines.push(l) });
    const finding = report.findings[0];
    expect(finding, lines.join('\n')).toBeDefined();
    if (!finding) return;
    expect(finding.ops.length).toBeLessThanOrEqual(3);
    expect(finding.replays).toBe(true);
    const files = writeFinding(out, finding);
    const saved = readFinding(files.json);
    expect(saved.ops).toEqual(finding.ops);
    const loaded = loadScenarioFile(files.scenario);
    expect(loaded.scenario.origin).toMatchObject({ kind: 'fuzzer', invariant: finding.invariant });
    expect(readFileSync(files.scenario, 'utf8')).toContain('definePatch');
    const replay = await replayFinding(saved);
    expect(replay.reproduced, replay.report.trace.join('\n')).toBe(true);
  }, 300_000);
});
