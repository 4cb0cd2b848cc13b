// Stack parsing, frame mapping, error classification and the interrupt budget, without an engine.
import { describe, expect, it } from 'vitest';
import { classify, mapFrames, parseStack } from '../../core/sandbox/engine-errors';
import { SourceMapper } from '../../core/sandbox/source-map';
import { InterruptBudget } from '../../core/sandbox/budget';

describe('engine errors', () => {
  it('parses QuickJS stack lines, including file names with colons and native frames', () => {
    const stack = '    at spin (vmm.js:4:3)\n    at <anonymous> (patches/1/a:b.js:10:22)\n    at map (native)\n    at <eval> (probe.js:1:1)\n';
    expect(parseStack(stack)).toEqual([
      { functionName: 'spin', file: 'vmm.js', line: 4, column: 3 },
      { functionName: '<anonymous>', file: 'patches/1/a:b.js', line: 10, column: 22 },
      { functionName: '<eval>', file: 'probe.js', line: 1, column: 1 },
    ]);
    expect(parseStack(Array.from({ length: 100 }, () => '    at r (x.js:1:2)').join('\n'))).toHaveLength(24);
  });

  it('maps only frames whose file has a map', () => {
    const maps = new Map([['gen.js', new SourceMapper({ version: 3, sources: ['src.ts'], mappings: 'AAEE' })]]);
    expect(mapFrames([{ functionName: 'f', file: 'gen.js', line: 1, column: 5 }, { functionName: 'g', file: 'other.js', line: 2, column: 2 }], maps))
      .toEqual([
        { functionName: 'f', file: 'src.ts', source: 'src.ts', line: 3, column: 3, generated: { file: 'gen.js', line: 1, column: 5 } },
        { functionName: 'g', file: 'other.js', line: 2, column: 2 },
      ]);
  });

  it('classifies only our own budget trips as unresponsive', () => {
    const interrupted = { name: 'InternalError', message: 'interrupted', stack: '' };
    expect(classify(interrupted, true)).toBe('unresponsive');
    expect(classify(interrupted, false)).toBe('exception');
    expect(classify({ name: 'InternalError', message: 'out of memory', stack: '' }, false)).toBe('out-of-memory');
    expect(classify({ name: 'InternalError', message: 'stack overflow', stack: '' }, false)).toBe('stack-overflow');
    expect(classify({ name: 'RangeError', message: 'Maximum call stack size exceeded', stack: '' }, false)).toBe('stack-overflow');
    expect(classify({ name: 'TypeError', message: 'x', stack: '' }, true)).toBe('exception');
  });

  it('counts interrupt checks per armed call', () => {
    const budget = new InterruptBudget(3);
    expect([budget.onInterrupt(), budget.onInterrupt(), budget.onInterrupt(), budget.onInterrupt()]).toEqual([false, false, false, true]);
    expect(budget.exhausted).toBe(true);
    budget.arm();
    expect(budget.exhausted).toBe(false);
    expect(budget.used).toBe(0);
    expect(() => new InterruptBudget(0)).toThrow(RangeError);
    expect(() => new InterruptBudget(1.5)).toThrow(/positive integer/);
  });
});
