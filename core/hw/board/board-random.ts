// A RandomSource whose generator can be swapped for a saved state: the board hands this object
// (not the SeededRandom itself) to its holders (TPM, DTB builder), so a snapshot restore can put
// every holder back at its exact stream position without rebuilding the holder.
// Invariant: `inner` is always a valid SeededRandom; loadState validates before it swaps.
import { SeededRandom, type RandomSource, type SeededRandomState } from '../seeded-random';

export class BoardRandom implements RandomSource {
  private inner: SeededRandom;

  constructor(inner: SeededRandom) {
    this.inner = inner;
  }

  bytes(length: number): Uint8Array {
    return this.inner.bytes(length);
  }

  /** An independent child stream, itself swappable. */
  fork(label: string): BoardRandom {
    return new BoardRandom(this.inner.fork(label));
  }

  saveState(): SeededRandomState {
    return this.inner.saveState();
  }

  /** Throws (and keeps the current stream) when the state is invalid. */
  loadState(state: SeededRandomState): void {
    this.inner = SeededRandom.loadState(state);
  }
}
