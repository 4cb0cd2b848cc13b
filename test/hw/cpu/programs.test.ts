// Differential proof of the hart (issue 3): every committed test program in
// assets/tests/hart/bin runs on our hart through runElf, and its UART transcript and exit code
// must equal QEMU 7.2's committed transcript, with QEMU's known spec departures replaced by the
// privileged/unprivileged spec's values (support/spec-overrides.ts).
import { describe, expect, it } from 'vitest';
import { runElf } from '../../../core/hw/run-elf';
import {
  describeDifference,
  programNames,
  readElf,
  readExpected,
  specTranscript,
  splitLines,
} from './support/hart-programs';
import { SPEC_OVERRIDES } from './support/spec-overrides';

const BUDGET = 200_000_000;

describe('hart test programs against QEMU transcripts', () => {
  const names = programNames();

  it('has a program and a transcript for every area', () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) expect(() => readExpected(name)).not.toThrow();
  });

  it('every spec override names a committed program', () => {
    for (const o of SPEC_OVERRIDES) expect(names).toContain(o.program);
  });

  for (const name of names) {
    it(`${name} matches QEMU (spec where QEMU departs from it)`, () => {
      const expected = specTranscript(name, readExpected(name));
      const result = runElf(readElf(name), { maxInstructions: BUDGET });
      const text = new TextDecoder().decode(result.output);
      const actual = { lines: splitLines(text), exitCode: result.exitCode };
      const diff = describeDifference(expected, actual);
      expect(result.reason, `${name} did not stop at the test finisher\n${diff}`).toBe('finisher');
      expect(diff === '', diff).toBe(true);
    });
  }
});
