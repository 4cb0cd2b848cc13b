// Deterministic interleaving of the board's harts in one thread, as VirtBoard does: each hart
// runs a fixed quantum in turn (a lone hart runs up to its next timer deadline, capped, so timer
// interrupts land on the exact instruction); virtual time advances with the largest quantum of a
// round and reads include the running hart's progress; when every hart waits, time jumps to the
// next future deadline: ACLINT mtimecmp, and with Sstc stimecmp/vstimecmp (Sstc 1.0).
import type { Clock } from '../device';
import type { Hart } from '../cpu/hart';
import { SLOT } from '../cpu/csr-slots';
import { ENVCFG } from '../../spec/riscv-priv';
import { ACLINT, type Aclint } from '../devices/aclint';

/** Longest run of a lone hart between interrupt polls when no timer deadline is nearer. */
const SINGLE_HART_CHUNK = 100_000;

export interface SchedulerState {
  readonly elapsed: number;
  readonly instructions: number;
}

export interface SchedulerHooks {
  /** True once the machine has powered off (the run ends). */
  stopped(): boolean;
  /** Called after each hart's turn; true ends the round (e.g. a platform reset just happened). */
  afterHart(): boolean;
}

const u64 = (hi: number, lo: number): number => (hi >>> 0) * 0x1_0000_0000 + (lo >>> 0);

export class HartScheduler {
  /** Instructions retired by all harts. */
  instructions = 0;
  /** Elapsed virtual time in instructions (clock ticks = elapsed / instructionsPerTick). */
  private elapsed = 0;
  private running: Hart | null = null;
  private runningFrom = 0;
  /** The board clock in timebase ticks, including the running hart's progress in its chunk. */
  readonly clock: Clock;

  constructor(
    private readonly harts: readonly Hart[],
    private readonly aclint: () => Aclint,
    readonly instructionsPerTick: number,
    readonly quantum: number,
  ) {
    if (!(instructionsPerTick > 0) || !Number.isFinite(instructionsPerTick))
      throw new RangeError(`instructionsPerTick must be positive, got ${instructionsPerTick}`);
    if (!Number.isInteger(quantum) || quantum < 1)
      throw new RangeError(`quantum must be a positive integer, got ${quantum}`);
    this.clock = {
      now: () =>
        Math.floor(
          (this.elapsed + (this.running === null ? 0 : this.running.retired - this.runningFrom)) /
            this.instructionsPerTick,
        ),
    };
  }

  /** Runs rounds until `maxInstructions` more have retired, the hooks stop it, or no hart can wake. */
  run(maxInstructions: number, hooks: SchedulerHooks): number {
    const start = this.instructions;
    const limit = start + maxInstructions;
    while (!hooks.stopped() && this.instructions < limit) {
      this.aclint().update();
      let progressed = 0;
      let allWaiting = true;
      for (const h of this.harts) {
        if (hooks.stopped()) break;
        const budget = Math.min(
          this.harts.length === 1 ? this.untilDeadline() : this.quantum,
          limit - this.instructions,
        );
        if (budget <= 0) break;
        this.running = h;
        this.runningFrom = h.retired;
        const n = h.debug !== null && h.debug.active ? h.debug.continue(budget).retired : h.run(budget);
        this.running = null;
        this.instructions += n;
        progressed = Math.max(progressed, n);
        if (!h.waiting) allWaiting = false;
        // A reservation does not survive another hart's turn (it may have stored there).
        h.resValid = false;
        if (hooks.afterHart()) break;
      }
      if (progressed > 0) this.elapsed += progressed;
      else if (allWaiting && !this.skipIdle()) break;
    }
    return this.instructions - start;
  }

  /**
   * A modelled HS layer's turn on `hart` (the VMM running guests there): `turn` runs the hart
   * itself; the clock follows the hart's progress during the turn, as it does in run().
   * Returns the instructions the hart retired.
   */
  hsTurn(hart: Hart, turn: () => void): number {
    this.running = hart;
    this.runningFrom = hart.retired;
    try {
      turn();
    } finally {
      this.running = null;
    }
    const n = hart.retired - this.runningFrom;
    this.instructions += n;
    hart.resValid = false;
    return n;
  }

  /**
   * Ends a round of hsTurn calls in which no hart retired more than `progressed` instructions:
   * time moves by that much, or, when nothing ran, to the next timer deadline. False when nothing
   * can ever wake a hart.
   */
  endHsRound(progressed: number): boolean {
    if (progressed > 0) {
      this.elapsed += progressed;
      return true;
    }
    return this.skipIdle();
  }

  /** Earliest future timer deadline in board ticks, or Infinity (passed ones are pending interrupts). */
  nextDeadline(): number {
    const a = this.aclint();
    const now = this.clock.now();
    // mtime is the board clock plus an offset software may have written; read it through the registers.
    const offset = u64(a.read(ACLINT.MTIME + 4, 4), a.read(ACLINT.MTIME, 4)) - now;
    let deadline = Infinity;
    const consider = (t: number): void => {
      if (t > now && t < deadline) deadline = t;
    };
    for (let i = 0; i < this.harts.length; i++)
      consider(u64(a.read(ACLINT.MTIMECMP + 8 * i + 4, 4), a.read(ACLINT.MTIMECMP + 8 * i, 4)) - offset);
    for (const h of this.harts) {
      const c = h.csr;
      if (((c[SLOT.MENVCFGH] ?? 0) & ENVCFG.STCE_H) === 0) continue;
      consider(u64(c[SLOT.STIMECMPH] ?? 0, c[SLOT.STIMECMP] ?? 0) - offset);
      if (((c[SLOT.HENVCFGH] ?? 0) & ENVCFG.STCE_H) === 0) continue;
      // vstimecmp compares against time + htimedelta: its deadline in board time is shifted back.
      consider(
        u64(c[SLOT.VSTIMECMPH] ?? 0, c[SLOT.VSTIMECMP] ?? 0) -
          u64(c[SLOT.HTIMEDELTAH] ?? 0, c[SLOT.HTIMEDELTA] ?? 0) -
          offset,
      );
    }
    return deadline;
  }

  private untilDeadline(): number {
    const remaining = Math.ceil(this.nextDeadline() * this.instructionsPerTick - this.elapsed);
    return remaining >= 1 && remaining < SINGLE_HART_CHUNK ? remaining : SINGLE_HART_CHUNK;
  }

  /** All harts wait: advance time to the next deadline. False when nothing can ever wake them. */
  private skipIdle(): boolean {
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
    for (const k of ['elapsed', 'instructions'] as const) {
      const v = state[k];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
        throw new Error(`scheduler state: ${k} must be a non-negative integer`);
    }
    this.elapsed = state.elapsed;
    this.instructions = state.instructions;
  }
}
