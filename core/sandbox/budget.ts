// The engine's deterministic CPU budget: QuickJS calls the interrupt handler at a fixed operation
// interval, so counting handler invocations (not wall time) stops the same code at the same point
// on every run. Armed afresh for each call into the engine; host-side time is never counted.

/** Interrupt-handler invocations allowed per call into the engine (about 0.4-1.3 ms each here). */
export const DEFAULT_INTERRUPT_BUDGET = 2000;

export class InterruptBudget {
  private ticks = 0;
  private limit: number;
  private tripped = false;

  constructor(readonly perCall: number = DEFAULT_INTERRUPT_BUDGET) {
    if (!Number.isInteger(perCall) || perCall < 1) {
      throw new RangeError(`interrupt budget must be a positive integer, got ${String(perCall)}`);
    }
    this.limit = perCall;
  }

  /** Starts a call: `limit` ticks from now (the per-call budget unless told otherwise). */
  arm(limit: number = this.perCall): void {
    this.ticks = 0;
    this.limit = limit;
    this.tripped = false;
  }

  /** The interrupt handler: true stops the engine (an uncatchable "interrupted" error inside). */
  readonly onInterrupt = (): boolean => {
    this.ticks++;
    if (this.ticks > this.limit) this.tripped = true;
    return this.tripped;
  };

  /** True when the last armed call ran out of budget. */
  get exhausted(): boolean {
    return this.tripped;
  }

  get used(): number {
    return this.ticks;
  }
}
