// Grading exercises with the same runner as the catalog: a correct submission passes, the
// exercise's own starting patch (which does not do the job yet) fails, and the table says why.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExercise } from '../../../core/lab/scenarios/catalog';
import { formatGradeTable, gradeDirectory } from '../../../core/lab/scenarios/grading';

const asset = (path: string): string => new URL(`../../../assets/${path}`, import.meta.url).pathname;

describe('grading exercises', () => {
  it('passes a correct exfiltration and fails the unfinished starting patch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grade-'));
    copyFileSync(asset('patches/steal-secret.ts'), join(dir, 'alice.ts'));
    copyFileSync(asset('exercises/exfiltrate-secret.patch.ts'), join(dir, 'bob.ts'));
    const exercise = findExercise('exfiltrate-secret');
    const results = await gradeDirectory(exercise, dir);
    expect(results.map((r) => [r.submission, r.pass])).toEqual([['alice.ts', true], ['bob.ts', false]]);
    const table = formatGradeTable(exercise, results);
    expect(table).toMatch(/alice\.ts\s+PASS\s+compromised/);
    expect(table).toMatch(/bob\.ts\s+FAIL\s+defended, needs compromised/);
    expect(table).toContain('1 of 2 passed');
  }, 240_000);

  it('checks the defending mechanism under CloudVisor as well', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grade-'));
    copyFileSync(asset('scenarios/plant-content.patch.ts'), join(dir, 'carol.ts'));
    const results = await gradeDirectory(findExercise('plant-key'), dir);
    expect(results[0]?.modes).toEqual([
      { mode: 'bare', pass: true, detail: 'compromised' },
      { mode: 'protected', pass: true, detail: 'defended by ept-x' },
    ]);
  }, 240_000);
});
