// Delta debugging over plain values: the failure needs a known subset, the result is exactly it.
import { describe, expect, it } from 'vitest';
import { minimize } from '../../../core/lab/fuzz/minimizer';

const needs = (wanted: readonly number[]) => async (candidate: readonly number[]) => wanted.every((w) => candidate.includes(w));

describe('minimize', () => {
  it('finds the failing step alone in one trial', async () => {
    const result = await minimize([1, 2, 3, 4, 5, 6, 7, 8], needs([8]));
    expect(result).toEqual({ items: [8], trials: 1, complete: true });
  });

  it('keeps the steps a failure needs together, in order', async () => {
    const input = Array.from({ length: 40 }, (_, i) => i);
    const result = await minimize(input, needs([3, 17, 39]), 100);
    expect(result.items).toEqual([3, 17, 39]);
    expect(result.complete).toBe(true);
  });

  it('stops at its trial budget and says the result may not be minimal', async () => {
    const input = Array.from({ length: 64 }, (_, i) => i);
    const result = await minimize(input, needs([1, 5, 9, 33, 60, 63]), 4);
    expect(result.trials).toBe(4);
    expect(result.complete).toBe(false);
    expect([1, 5, 9, 33, 60, 63].every((w) => result.items.includes(w))).toBe(true);
  });
});
