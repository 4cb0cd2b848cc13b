// `cloudvisor-lab fuzz`: usage errors name the bad option; a short seeded run against the full
// monitor reports its steps, speed and no violation as JSON, and exits 0.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/lab/cli-command';
import { fuzzCommand } from '../../../core/lab/commands/fuzz';

const out = mkdtempSync(join(tmpdir(), 'cvlab-fuzz-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function capture() {
  let stdout = '';
  const io = { stdout: (t: string | Uint8Array) => void (stdout += typeof t === 'string' ? t : Buffer.from(t).toString()), stderr: () => undefined };
  return { io, text: () => stdout };
}

describe('fuzz command', () => {
  it('refuses an unknown defense and a bad step count', async () => {
    const { io } = capture();
    await expect(fuzzCommand.run(['--defense-off', 'moat'], io)).rejects.toThrow(UsageError);
    await expect(fuzzCommand.run(['--steps', '0'], io)).rejects.toThrow(/--steps/);
  });

  it('reports a short seeded run as JSON and saves nothing when no invariant broke', async () => {
    const { io, text } = capture();
    const status = await fuzzCommand.run(['--seed', 'cli-short', '--steps', '10', '--no-join', '--out', out, '--json'], io);
    const report = JSON.parse(text()) as { stepsRun: number; violations: number; opsPerSecond: number; seconds: number; findings: unknown[] };
    expect(report).toMatchObject({ stepsRun: 10, violations: 0, findings: [] });
    expect(report.opsPerSecond).toBeGreaterThan(0);
    expect(status).toBe(0);
    expect(readdirSync(out)).toEqual([]);
  }, 120_000);
});
