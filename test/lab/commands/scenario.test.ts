// The scenario commands as a user runs them: one scenario file with --json, the catalog table
// filtered to one scenario, grading a folder, and the errors for a broken file or bad arguments.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../../core/lab/cli-command';
import { gradeCommand } from '../../../core/lab/commands/grade';
import { scenarioCommand } from '../../../core/lab/commands/scenario';
import { scenariosCommand } from '../../../core/lab/commands/scenarios';
import type { ScenarioReport } from '../../../core/lab/scenarios/runner';

const asset = (path: string): string => new URL(`../../../assets/${path}`, import.meta.url).pathname;

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += typeof t === 'string' ? t : Buffer.from(t).toString()), stderr: (t) => void (err += t) },
    out: () => out,
    err: () => err,
  };
}

describe('cloudvisor-lab scenario', () => {
  it('runs a scenario file and prints its report as JSON', async () => {
    const c = capture();
    const status = await scenarioCommand.run([asset('scenarios/steal-secret.ts'), '--modes', 'bare', '--json'], c.io);
    const report = JSON.parse(c.out()) as ScenarioReport;
    expect(status).toBe(0);
    expect(report.id).toBe('steal-secret');
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]).toMatchObject({ mode: 'bare', verdict: 'compromised', expected: 'compromised', matches: true, lost: ['vm1 secret key, 32 bytes'] });
    expect(report.runs[0]?.guests[0]?.selftest).toBe('ok');
  }, 120_000);

  it('names a scenario file that does not compile and refuses unknown modes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-cli-'));
    writeFileSync(join(dir, 'broken.ts'), 'export default {;\n');
    const c = capture();
    expect(await scenarioCommand.run([join(dir, 'broken.ts')], c.io)).toBe(1);
    expect(c.err()).toMatch(/broken\.ts: does not compile/);
    await expect(scenarioCommand.run([join(dir, 'broken.ts'), '--modes', 'nested'], c.io)).rejects.toThrow(UsageError);
  });
});

describe('cloudvisor-lab scenarios', () => {
  it('prints the table of verdicts for the scenarios asked for', async () => {
    const c = capture();
    const status = await scenariosCommand.run(['--only', 'steal-secret', '--modes', 'bare'], c.io);
    expect(status).toBe(0);
    expect(c.out()).toMatch(/^scenario\s+bare\s+note/);
    expect(c.out()).toMatch(/steal-secret\s+compromised/);
    expect(c.out()).toContain('every verdict as expected');
    await expect(scenariosCommand.run(['--only', 'no-such-attack', '--modes', 'bare'], capture().io)).rejects.toThrow(/no scenario with id no-such-attack/);
  }, 120_000);
});

describe('cloudvisor-lab grade', () => {
  it('grades a folder of submissions and prints a table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grade-cli-'));
    copyFileSync(asset('patches/steal-secret.ts'), join(dir, 'alice.ts'));
    const c = capture();
    const status = await gradeCommand.run(['exfiltrate-secret', dir], c.io);
    expect(c.out()).toMatch(/alice\.ts\s+PASS/);
    expect(status).toBe(0);
  }, 120_000);

  it('explains an unknown exercise and a missing folder', async () => {
    const c = capture();
    expect(await gradeCommand.run(['no-such-exercise', tmpdir()], c.io)).toBe(1);
    expect(c.err()).toMatch(/no-such-exercise\.ts: no such file/);
    await expect(gradeCommand.run(['exfiltrate-secret', join(tmpdir(), 'missing-folder-x')], c.io)).rejects.toThrow(/is not a folder/);
  });
});
