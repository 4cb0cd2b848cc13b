// A runaway VMM or patch is stopped with a clear error and the host and the engine carry on:
// the interrupt budget (deterministic), the memory limit and the stack limit.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../core/sandbox/engine-errors';
import { RAM_BASE } from './in-memory-hyp';
import { testEngine, type TestEngine } from './engine-helpers';

const BUNDLE = `
export let count = 0;
export function spin() {
  count = 0;
  while (true) { count++; }
}
export function spinCaught() { try { while (true) {} } catch (e) { return 'caught'; } }
export function spinOnHost() { while (true) hyp.timer.now(); }
export function counted() { return count; }
export function hog() { const keep = []; while (true) keep.push({ n: keep.length, s: 'item' + keep.length }); }
export function bigString() { return 'x'.repeat(2 ** 28).length; }
function deep(n) { return deep(n + 1) + 1; }
export function recurse() { return deep(0); }
export function add(a, b) { return a + b; }
export function work(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s > 0 ? 1 : 0; }
export function bigRead() { return hyp.mem.read(${RAM_BASE}, 2 ** 30).length; }
`;

function failure(f: () => unknown): EngineError {
  try {
    f();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

describe('engine limits', () => {
  let t: TestEngine;
  afterEach(() => t.engine.dispose());

  it('stops an endless loop as "VMM unresponsive", names the line, and keeps working', async () => {
    t = await testEngine({ interruptBudget: 20 }, BUNDLE);
    const error = failure(() => t.engine.call('spin'));
    expect(error.kind).toBe('unresponsive');
    expect(error.message).toMatch(/^VMM unresponsive: stopped after 20 interrupt checks at vmm\.js:[45]:\d+$/);
    expect(error.frames[0]).toMatchObject({ functionName: 'spin', file: 'vmm.js' });
    expect(t.faults).toEqual([]);
    expect(t.engine.callNumbers('add', 2, 3)).toBe(5);
    expect(failure(() => t.engine.call('spinCaught')).kind).toBe('unresponsive');
    expect(failure(() => t.engine.call('spinOnHost')).kind).toBe('unresponsive');
    expect(t.engine.callNumbers('add', 1, 1)).toBe(2);
  });

  it('gives every call its own budget rather than a running total', async () => {
    t = await testEngine({ interruptBudget: 40 }, BUNDLE);
    for (let i = 0; i < 6; i++) expect(t.engine.callNumbers('work', 100_000)).toBe(1);
    expect(t.engine.stats.lastCallTicks).toBeGreaterThan(5);
    expect(failure(() => t.engine.callNumbers('work', 1_000_000)).kind).toBe('unresponsive');
  });

  it('stops the same code at the same point every time', async () => {
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      t = await testEngine({ interruptBudget: 7 }, BUNDLE);
      failure(() => t.engine.call('spin'));
      counts.push(t.engine.callNumbers('counted'));
      t.engine.dispose();
    }
    t = await testEngine({ interruptBudget: 7 }, BUNDLE);
    expect(counts[0]).toBeGreaterThan(1000);
    expect(counts[1]).toBe(counts[0]);
  });

  it('reports the memory limit and recovers once the garbage is gone', async () => {
    t = await testEngine({ memoryBytes: 8 * 1024 * 1024 }, BUNDLE);
    const error = failure(() => t.engine.call('hog'));
    expect(error.kind).toBe('out-of-memory');
    expect(error.message).toMatch(/^VMM out of memory: the engine's 8388608 byte limit was reached/);
    expect(failure(() => t.engine.call('bigString')).kind).toBe('out-of-memory');
    expect(t.engine.callNumbers('add', 20, 22)).toBe(42);
  });

  it('reports deep recursion as a stack overflow and recovers', async () => {
    t = await testEngine({ stackBytes: 128 * 1024 }, BUNDLE);
    const error = failure(() => t.engine.call('recurse'));
    expect(error.kind).toBe('stack-overflow');
    expect(error.message).toMatch(/^VMM stack overflow/);
    expect(error.frames.length).toBeLessThanOrEqual(24);
    expect(error.frames[0]).toMatchObject({ functionName: 'deep', file: 'vmm.js' });
    expect(t.engine.callNumbers('add', 1, 2)).toBe(3);
  });

  it('leaves regular expressions out unless asked, since a backtracking match cannot be interrupted', async () => {
    t = await testEngine();
    expect(() => t.engine.loadBundle({ code: 'export const words = (s) => s.split(/\\s+/);', fileName: 're.js' }))
      .toThrow(/RegExp are not supported/);
    expect(t.engine.evalScript({ code: 'typeof RegExp + " " + typeof Date', fileName: 'probe.js' })).toBe('undefined undefined');
    t.engine.dispose();
    t = await testEngine({}, undefined, { regExp: true });
    t.engine.loadBundle({ code: 'export const count = (s) => s.split(/\\s+/).length;', fileName: 're.js' });
    expect(t.engine.call('count', 'a b  c')).toBe(3);
  });

  it('caps bulk transfers instead of exhausting host memory', async () => {
    t = await testEngine({}, BUNDLE);
    expect(failure(() => t.engine.call('bigRead')).message).toMatch(/HypError: length must be an integer in \[0, 16777217\)/);
  });
});
