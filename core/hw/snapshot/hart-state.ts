// Save/restore of one hart's architectural state for machine snapshots: x registers, the CSR
// slot array (every CSR the hart keeps, csr-slots.ts), counters, pc, mode, WFI and LR/SC
// reservation, retired count, PMP. TLBs and decoded-code caches are not state: they are
// flushed on restore and refill from memory.
import type { Hart } from '../cpu/hart';
import { COUNTER_SLOT_COUNT, SLOT_COUNT } from '../cpu/csr-slots';

export interface HartState {
  readonly x: Int32Array;
  readonly csr: Int32Array;
  readonly counters: Float64Array;
  readonly pc: number;
  readonly priv: number;
  readonly virt: number;
  readonly waiting: boolean;
  readonly resValid: boolean;
  readonly resAddr: number;
  readonly retired: number;
  readonly pmpCfg: Uint8Array;
  readonly pmpAddr: Int32Array;
}

/** x0..x31 (the hart may keep a scratch slot after x31 for x0 writes: not state). */
const X_LENGTH = 32;

export function saveHartState(h: Hart): HartState {
  return {
    x: h.x.slice(0, X_LENGTH),
    csr: h.csr.slice(),
    counters: h.counters.slice(),
    pc: h.pc,
    priv: h.priv,
    virt: h.virt,
    waiting: h.waiting,
    resValid: h.resValid,
    resAddr: h.resAddr,
    retired: h.retired,
    pmpCfg: h.pmp.cfg.slice(),
    pmpAddr: h.pmp.addr.slice(),
  };
}

export function validateHartState(s: HartState): void {
  const arrays = [
    [s.x instanceof Int32Array && s.x.length === X_LENGTH, 'x'],
    [s.csr instanceof Int32Array && s.csr.length === SLOT_COUNT, 'csr'],
    [s.counters instanceof Float64Array && s.counters.length === COUNTER_SLOT_COUNT, 'counters'],
    [s.pmpCfg instanceof Uint8Array && s.pmpCfg.length === 16, 'pmpCfg'],
    [s.pmpAddr instanceof Int32Array && s.pmpAddr.length === 16, 'pmpAddr'],
  ] as const;
  for (const [good, name] of arrays)
    if (!good) throw new Error(`hart state: ${name} has the wrong type or length`);
  if (
    !Number.isInteger(s.pc) ||
    ![0, 1, 3].includes(s.priv) ||
    ![0, 1].includes(s.virt) ||
    (s.priv === 3 && s.virt === 1)
  )
    throw new Error('hart state: invalid pc/priv/virt');
  if (typeof s.waiting !== 'boolean' || typeof s.resValid !== 'boolean' || !Number.isInteger(s.resAddr))
    throw new Error('hart state: invalid waiting/reservation');
  if (!Number.isSafeInteger(s.retired) || s.retired < 0) throw new Error('hart state: invalid retired count');
}

export function loadHartState(h: Hart, s: HartState): void {
  validateHartState(s);
  h.reset(s.pc);
  h.x.set(s.x.subarray(0, X_LENGTH));
  h.csr.set(s.csr);
  h.counters.set(s.counters);
  // Addresses first, while every entry is unlocked (reset), then the configuration bytes.
  for (let i = 0; i < 16; i++) h.pmp.writeAddr(i, s.pmpAddr[i] ?? 0);
  for (let r = 0; r < 4; r++) {
    const b = r * 4;
    h.pmp.writeCfg(
      r,
      (s.pmpCfg[b] ?? 0) |
        ((s.pmpCfg[b + 1] ?? 0) << 8) |
        ((s.pmpCfg[b + 2] ?? 0) << 16) |
        ((s.pmpCfg[b + 3] ?? 0) << 24),
    );
  }
  h.priv = s.priv;
  h.virt = s.virt;
  h.waiting = s.waiting;
  h.resValid = s.resValid;
  h.resAddr = s.resAddr;
  h.retired = s.retired;
  h.flushTlb();
  h.contextChanged();
}
