// The firmware's per-hart HSM bookkeeping (SBI v2.0 ch. 9): state, start address and opaque for
// a pending start, and inter-hart work waiting behind the target's ACLINT MSIP (ch. 7 IPI).
// Invariants: a hart leaves STOPPED only through START_PENDING (set by start()); a retentive
// SUSPENDED hart counts as STARTED again once it no longer waits (it resumed on an interrupt).
import { HSM_STATE, type HsmState } from '../../spec/sbi';

/** Work another hart asked for, delivered on the target's next machine software interrupt. */
export const HART_WORK = { IPI: 1 << 0 } as const;

export interface HsmHartState {
  readonly state: HsmState;
  readonly startAddr: number;
  readonly opaque: number;
  readonly pending: number;
}

export interface HsmSavedState {
  readonly harts: readonly HsmHartState[];
}

const STATES: ReadonlySet<number> = new Set<number>(Object.values(HSM_STATE));

export class HartStateManager {
  private readonly harts: { state: HsmState; startAddr: number; opaque: number; pending: number }[];

  constructor(count: number) {
    this.harts = Array.from({ length: count }, () => ({
      state: HSM_STATE.STOPPED as HsmState,
      startAddr: 0,
      opaque: 0,
      pending: 0,
    }));
  }

  get count(): number {
    return this.harts.length;
  }

  private entry(hart: number): { state: HsmState; startAddr: number; opaque: number; pending: number } {
    const e = this.harts[hart];
    if (e === undefined) throw new RangeError(`hsm: no hart ${hart}`);
    return e;
  }

  /** The state as the spec reports it; `waiting` tells whether a SUSPENDED hart still sleeps. */
  state(hart: number, waiting: boolean): HsmState {
    const e = this.entry(hart);
    if (e.state === HSM_STATE.SUSPENDED && !waiting) e.state = HSM_STATE.STARTED;
    return e.state;
  }

  set(hart: number, state: HsmState): void {
    this.entry(hart).state = state;
  }

  /** STOPPED -> START_PENDING with the entry point; false when the hart is not stopped. */
  requestStart(hart: number, startAddr: number, opaque: number): boolean {
    const e = this.entry(hart);
    if (e.state !== HSM_STATE.STOPPED) return false;
    e.state = HSM_STATE.START_PENDING;
    e.startAddr = startAddr >>> 0;
    e.opaque = opaque >>> 0;
    return true;
  }

  startRequest(hart: number): { readonly startAddr: number; readonly opaque: number } {
    const e = this.entry(hart);
    return { startAddr: e.startAddr, opaque: e.opaque };
  }

  post(hart: number, work: number): void {
    this.entry(hart).pending |= work;
  }

  /** Take (and clear) the work pending for `hart`. */
  takeWork(hart: number): number {
    const e = this.entry(hart);
    const w = e.pending;
    e.pending = 0;
    return w;
  }

  reset(bootHart: number): void {
    for (const e of this.harts)
      Object.assign(e, { state: HSM_STATE.STOPPED, startAddr: 0, opaque: 0, pending: 0 });
    this.entry(bootHart).state = HSM_STATE.STARTED;
  }

  saveState(): HsmSavedState {
    return { harts: this.harts.map((e) => ({ ...e })) };
  }

  /** Validates everything before changing anything. */
  loadState(saved: HsmSavedState): void {
    if (!Array.isArray(saved.harts) || saved.harts.length !== this.harts.length)
      throw new Error(`hsm state: expected ${this.harts.length} harts`);
    for (const h of saved.harts) {
      if (!STATES.has(h.state)) throw new Error(`hsm state: invalid state ${String(h.state)}`);
      for (const k of ['startAddr', 'opaque', 'pending'] as const) {
        if (!Number.isInteger(h[k]) || h[k] < 0 || h[k] > 0xffff_ffff)
          throw new Error(`hsm state: invalid ${k}`);
      }
    }
    saved.harts.forEach((h, i) => Object.assign(this.entry(i), h));
  }
}
