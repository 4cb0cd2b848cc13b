// Differential proof of the hart (issue 3): every committed test program in
// assets/tests/hart/bin runs on our hart through runElf, and its UART transcript and exit code
// must equal QEMU 7.2's committed transcript, with QEMU's known spec departures replaced by the
// privileged/unprivileged spec's values (support/spec-overrides.ts).
import { describe, expect, it } from 'vitest';
import { runElf } from '../../../core/hw/run-elf';
import {
  describeDifference,
  parseTranscript,
  programNames,
  readElf,
  readExpected,
  sourceNames,
  specTranscript,
  splitLines,
  transcriptNames,
} from './support/hart-programs';
import { SPEC_OVERRIDES, type SpecOverride } from './support/spec-overrides';

const BUDGET = 200_000_000;

describe('hart test programs against QEMU transcripts', () => {
  const names = programNames();

  it('has a committed ELF and a QEMU transcript for every source, and nothing else', () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(names).toEqual(sourceNames());
    expect(transcriptNames()).toEqual(sourceNames());
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

describe('transcript comparison', () => {
  const qemu = parseTranscript('a 1\nT x M c=00000005 gva=1\nb r=00000015@4 w=00000017@4\nqemu-exit 0\n');

  it('reads the exit line and reports the first differing line with context', () => {
    expect(qemu).toEqual({
      lines: ['a 1', 'T x M c=00000005 gva=1', 'b r=00000015@4 w=00000017@4'],
      exitCode: 0,
    });
    const other = { lines: ['a 1', 'T x M c=00000007 gva=1'], exitCode: 0 };
    const diff = describeDifference(qemu, other);
    expect(diff).toContain('first difference at line 2');
    expect(diff).toContain('  1  a 1');
    expect(diff).toContain('+ 2  T x M c=00000007 gva=1');
    expect(describeDifference(qemu, { ...qemu, exitCode: 3 })).toContain('exit code differs');
    expect(describeDifference(qemu, qemu)).toBe('');
  });

  it('applies field, whole-line and template overrides, and rejects one that matches nothing', () => {
    const overrides: SpecOverride[] = [
      { program: 'p', line: /^T x /, field: 'gva', value: '0', rule: 'r' },
      { program: 'p', line: /^a 1$/, value: 'a 2', rule: 'r' },
      { program: 'p', line: /^(b) r=00000015@/, template: true, value: '$1 r=00000005@', rule: 'r' },
    ];
    expect(specTranscript('p', qemu, overrides).lines).toEqual([
      'a 2',
      'T x M c=00000005 gva=0',
      'b r=00000005@4 w=00000017@4',
    ]);
    const stale: SpecOverride[] = [{ program: 'p', line: /^nothing$/, value: 'x', rule: 'r' }];
    expect(() => specTranscript('p', qemu, stale)).toThrow(/matched no line/);
  });
});
