// Deterministic interleaving of the board's harts in one thread: each hart runs a fixed quantum
// in turn, virtual time advances with the largest quantum retired in a round (harts run "in
// parallel"), and when every hart waits, time jumps to the next deadline: ACLINT mtimecmp, and
// with Sstc enabled stimecmp and vstimecmp (Sstc 1.0). Same logic as VirtBoard.run/skipIdle.
import type { Clock } from '../device';
import type { Hart } from '../cpu/hart';
import { SLOT } from '../cpu/csr-slots';
import { ENVCFG } from '../cpu/riscv-bits';
import type { Aclint } from '../devices/aclint';

export interface SchedulerState {
  readonly elapsed: number;
  readonly instructions: number;
}

function compare64(hi: number, lo: number): number {
  return (hi >>> 0) * 0x1_0000_0000 + (lo >>> 0);
}

export class HartScheduler {
  /** Instructions retired by all harts. */
  instructions = 0;
  /** Elapsed virtual time in instructions (clock ticks = elapsed / instructionsPerTick). */
  private elapsed = 0;
  readonly clock: Clock;

  constructor(
    private readonly harts: readonly Hart[],
    private readonly aclint: () => Aclint,
    readonly instructionsPerTick: number,
    readonly quantum: number,
  ) {
    if (!(instructionsPerTick > 0) || !Number.isFinite(instructionsPerTick))
      throw new RangeError(`instructionsPerTick must be positive, got ${instructionsPerTick}`);
    if (!Number.isInteger(quantum) || quantum < 1) throw new RangeError(`quantum must be a positive integer, got ${quantum}`);
    this.clock = { now: () => Math.floor(this.elapsed / this.instructionsPerTick) };
  }

  /**
   * Run rounds until `stopped()` or `maxInstructions` more have retired, or nothing can wake any
   * hart. Returns the instructions retired. A hart with an active debugger is stepped through it.
   */
  run(maxInstructions: number, stopped: () => boolean): number {
    const start = this.instructions;
    const limit = start + maxInstructions;
    while (!stopped() && this.instructions < limit) {
      this.aclint().update();
      let progressed = 0;
      let allWaiting = true;
      for (const h of this.harts) {
        if (stopped()) break;
        const budget = Math.min(this.quantum, limit - this.instructions);
        if (budget <= 0) break;
        const n = h.debug !== null && h.debug.active ? h.debug.continue(budget).retired : h.run(budget);
        this.instructions += n;
        progressed = Math.max(progressed, n);
        if (!h.waiting) allWaiting = false;
        // A reservation does not survive another hart's turn (it may have stored there).
        h.resValid = false;
      }
      if (progressed > 0) this.elapsed += progressed;
      else if (allWaiting && !this.skipIdle()) break;
    }
    return this.instructions - start;
  }

  /** The earliest timer deadline in clock ticks, or Infinity. */
  nextDeadline(): number {
    let deadline = this.aclint().nextDeadline();
    for (const h of this.harts) {
      const c = h.csr;
      if (((c[SLOT.MENVCFGH] ?? 0) & ENVCFG.STCE_H) === 0) continue;
      deadline = Math.min(deadline, compare64(c[SLOT.STIMECMPH] ?? 0, c[SLOT.STIMECMP] ?? 0));
      if (((c[SLOT.HENVCFGH] ?? 0) & ENVCFG.STCE_H) === 0) continue;
      const delta = compare64(c[SLOT.HTIMEDELTAH] ?? 0, c[SLOT.HTIMEDELTA] ?? 0);
      // vstimecmp compares against time + htimedelta (mod 2^64): the host deadline is cmp - delta.
      const vs = compare64(c[SLOT.VSTIMECMPH] ?? 0, c[SLOT.VSTIMECMP] ?? 0) - delta;
      if (vs >= 0) deadline = Math.min(deadline, vs);
    }
    return deadline;
  }

  /**
   * For a modelled HS layer that runs the harts itself (the VMM driving guests): account one round
   * in which the harts retired `retired` instructions and time moved by `elapsed` of them.
   */
  account(retired: number, elapsed: number): void {
    this.instructions += retired;
    this.elapsed += elapsed;
  }

  /** All harts wait: advance time to the next deadline. False when nothing can ever wake them. */
  skipIdle(): boolean {
    const deadline = this.nextDeadline();
    if (!Number.isFinite(deadline) || deadline >= 2 ** 52) return false;
    const target = Math.max(deadline * this.instructionsPerTick, this.elapsed + this.instructionsPerTick);
    this.elapsed = Math.ceil(target);
    return true;
  }

  saveState(): SchedulerState {
    return { elapsed: this.elapsed, instructions: this.instructions };
  }

  loadState(state: SchedulerState): void {
    for (const [k, v] of Object.entries(state)) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`scheduler state: ${k} must be a non-negative integer`);
    }
    this.elapsed = state.elapsed;
    this.instructions = state.instructions;
  }
}
