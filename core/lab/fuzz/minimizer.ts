// Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
// TSE 2002): shrinks a failing operation sequence to a 1-minimal one that still fails, within a
// trial budget. The failing step alone is tried first: most monitor violations need one operation.

export interface Minimized<T> {
  readonly items: readonly T[];
  readonly trials: number;
  /** False when the budget ran out before the result was 1-minimal. */
  readonly complete: boolean;
}

export async function minimize<T>(
  failing: readonly T[],
  fails: (candidate: readonly T[]) => Promise<boolean>,
  maxTrials = 24,
): Promise<Minimized<T>> {
  let trials = 0;
  const test = async (candidate: readonly T[]): Promise<boolean> => {
    trials++;
    return fails(candidate);
  };
  let items = [...failing];
  const last = items[items.length - 1];
  if (items.length > 1 && last !== undefined && (await test([last]))) return { items: [last], trials, complete: true };
  let n = 2;
  while (items.length >= 2) {
    if (trials >= maxTrials) return { items, trials, complete: false };
    const chunks = split(items, n);
    let reduced = false;
    for (let i = 0; i < chunks.length && trials < maxTrials; i++) {
      const complement = chunks.filter((_, j) => j !== i).flat();
      if (await test(complement)) {
        items = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (n >= items.length) break;
    n = Math.min(n * 2, items.length);
  }
  return { items, trials, complete: trials < maxTrials || items.length <= 1 };
}

function split<T>(items: readonly T[], n: number): T[][] {
  const chunks: T[][] = [];
  const size = Math.ceil(items.length / n);
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
