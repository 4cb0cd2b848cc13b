// Trap entry and return: exception routing through medeleg/hedeleg, interrupt selection
// through mideleg/hideleg with the spec's priority order, MRET and SRET (priv spec 1.12
// sections 3.1.6-3.1.9, 3.3.2, 8.6). Rules chosen where QEMU 7.2 departs from the spec:
// mtval2/htval are written 0 on traps that are not guest-page faults; GVA is set only when
// the trap writes a guest virtual address to xtval.
import type { Hart } from './hart';
import { SLOT } from './csr-slots';
import { HSTATUS, MSTATUS, MSTATUSH } from '../../spec/riscv-priv';

/** Interrupt priority, highest first (priv 1.12 section 3.1.9, 8.4.3): MEI MSI MTI SEI SSI STI SGEI VSEI VSSI VSTI. */
const PRIORITY = [11, 3, 7, 9, 1, 5, 12, 10, 2, 6] as const;
/** mideleg bits that read as one with the H extension: VSSI, VSTI, VSEI, SGEI (priv 1.12 section 8.4.2). */
const MIDELEG_FORCED = (1 << 2) | (1 << 6) | (1 << 10) | (1 << 12);

function vector(tvec: number, cause: number, interrupt: boolean): number {
  const base = tvec & ~3;
  return interrupt && (tvec & 3) === 1 ? (base + 4 * cause) | 0 : base;
}

/** Enter the trap handler for `cause` with the pc of the trapping instruction in h.pc. */
export function takeTrap(
  h: Hart,
  cause: number,
  interrupt: boolean,
  tval: number,
  tval2: number,
  tinst: number,
  gva: number,
): void {
  const c = h.csr;
  const priv = h.priv;
  const virt = h.virt;
  const bit = 1 << cause;
  let toS = false;
  let toVS = false;
  if (priv !== 3) {
    if (interrupt) {
      toS = (((c[SLOT.MIDELEG] ?? 0) | MIDELEG_FORCED) & bit) !== 0;
      toVS = toS && ((c[SLOT.HIDELEG] ?? 0) & bit) !== 0;
    } else if (cause < 32) {
      toS = ((c[SLOT.MEDELEG] ?? 0) & bit) !== 0;
      toVS = toS && virt !== 0 && ((c[SLOT.HEDELEG] ?? 0) & bit) !== 0;
    }
  }
  const causeValue = interrupt ? cause | 0x8000_0000 | 0 : cause;
  h.resValid = false;
  if (toVS) {
    // VS interrupts arrive in VS-mode renumbered as the S-level ones (priv 1.12 section 8.6.3).
    const vsCause = interrupt && (cause === 2 || cause === 6 || cause === 10) ? cause - 1 : cause;
    let s = c[SLOT.VSSTATUS] ?? 0;
    s =
      (s & ~(MSTATUS.SPP | MSTATUS.SPIE | MSTATUS.SIE)) |
      (priv === 1 ? MSTATUS.SPP : 0) |
      ((s & MSTATUS.SIE) !== 0 ? MSTATUS.SPIE : 0);
    c[SLOT.VSSTATUS] = s;
    c[SLOT.VSEPC] = h.pc;
    c[SLOT.VSCAUSE] = interrupt ? vsCause | 0x8000_0000 | 0 : vsCause;
    c[SLOT.VSTVAL] = tval;
    h.pc = vector(c[SLOT.VSTVEC] ?? 0, vsCause, interrupt);
    h.priv = 1;
  } else if (toS) {
    let hs = c[SLOT.HSTATUS] ?? 0;
    hs &= ~(HSTATUS.SPV | HSTATUS.GVA);
    if (virt !== 0) hs = (hs & ~HSTATUS.SPVP) | HSTATUS.SPV | (priv === 1 ? HSTATUS.SPVP : 0);
    if (gva !== 0) hs |= HSTATUS.GVA;
    c[SLOT.HSTATUS] = hs;
    let s = c[SLOT.MSTATUS] ?? 0;
    s =
      (s & ~(MSTATUS.SPP | MSTATUS.SPIE | MSTATUS.SIE)) |
      (priv === 1 ? MSTATUS.SPP : 0) |
      ((s & MSTATUS.SIE) !== 0 ? MSTATUS.SPIE : 0);
    c[SLOT.MSTATUS] = s;
    c[SLOT.SEPC] = h.pc;
    c[SLOT.SCAUSE] = causeValue;
    c[SLOT.STVAL] = tval;
    c[SLOT.HTVAL] = tval2;
    c[SLOT.HTINST] = tinst;
    h.pc = vector(c[SLOT.STVEC] ?? 0, cause, interrupt);
    h.priv = 1;
    h.virt = 0;
  } else {
    let sh = (c[SLOT.MSTATUSH] ?? 0) & ~(MSTATUSH.MPV | MSTATUSH.GVA);
    if (virt !== 0) sh |= MSTATUSH.MPV;
    if (gva !== 0) sh |= MSTATUSH.GVA;
    c[SLOT.MSTATUSH] = sh;
    let s = c[SLOT.MSTATUS] ?? 0;
    s =
      (s & ~(MSTATUS.MPP | MSTATUS.MPIE | MSTATUS.MIE)) |
      (priv << MSTATUS.MPP_SHIFT) |
      ((s & MSTATUS.MIE) !== 0 ? MSTATUS.MPIE : 0);
    c[SLOT.MSTATUS] = s;
    c[SLOT.MEPC] = h.pc;
    c[SLOT.MCAUSE] = causeValue;
    c[SLOT.MTVAL] = tval;
    c[SLOT.MTVAL2] = tval2;
    c[SLOT.MTINST] = tinst;
    h.pc = vector(c[SLOT.MTVEC] ?? 0, cause, interrupt);
    h.priv = 3;
    h.virt = 0;
  }
  h.contextChanged();
  // Modelled software layers (ARCHITECTURE.md): TypeScript stands in for HS or M code, so the
  // hart stops at HS's trap entry, or hands an M-mode trap to the modelled firmware at once.
  if (h.virt === 0 && h.priv === 1) {
    if (h.stopOnHsTrap) h.stop = true;
  } else if (h.priv === 3 && h.machineTrapHandler !== null) {
    h.machineTrapHandler(h);
  }
}

/** The highest-priority interrupt that is pending, enabled and not masked at the current mode, or -1. */
export function selectInterrupt(h: Hart, pendingAndEnabled: number): number {
  if (pendingAndEnabled === 0) return -1;
  const c = h.csr;
  const mideleg = (c[SLOT.MIDELEG] ?? 0) | MIDELEG_FORCED;
  const hideleg = c[SLOT.HIDELEG] ?? 0;
  const priv = h.priv;
  const virt = h.virt;
  const mstatus = c[SLOT.MSTATUS] ?? 0;
  const mOn = priv < 3 || (mstatus & MSTATUS.MIE) !== 0;
  const sOn = virt !== 0 || priv < 1 || (priv === 1 && (mstatus & MSTATUS.SIE) !== 0);
  const vsOn = virt !== 0 && (priv === 0 || ((c[SLOT.VSSTATUS] ?? 0) & MSTATUS.SIE) !== 0);
  let enabled = 0;
  if (mOn) enabled |= pendingAndEnabled & ~mideleg;
  if (sOn) enabled |= pendingAndEnabled & mideleg & ~hideleg;
  if (vsOn) enabled |= pendingAndEnabled & mideleg & hideleg;
  if (enabled === 0) return -1;
  // Interrupts for a more privileged mode preempt those for a less privileged one.
  const mLevel = enabled & ~mideleg;
  const sLevel = enabled & mideleg & ~hideleg;
  const set = mLevel !== 0 ? mLevel : sLevel !== 0 ? sLevel : enabled;
  for (const irq of PRIORITY) if ((set & (1 << irq)) !== 0) return irq;
  return -1;
}

/** MRET (caller has checked priv === M). */
export function mret(h: Hart): void {
  const c = h.csr;
  let s = c[SLOT.MSTATUS] ?? 0;
  const mpp = (s >>> MSTATUS.MPP_SHIFT) & 3;
  const sh = c[SLOT.MSTATUSH] ?? 0;
  s = (s & ~(MSTATUS.MIE | MSTATUS.MPP)) | ((s & MSTATUS.MPIE) !== 0 ? MSTATUS.MIE : 0) | MSTATUS.MPIE;
  if (mpp !== 3) s &= ~MSTATUS.MPRV;
  c[SLOT.MSTATUS] = s;
  c[SLOT.MSTATUSH] = sh & ~MSTATUSH.MPV;
  h.pc = c[SLOT.MEPC] ?? 0;
  h.priv = mpp;
  h.virt = mpp !== 3 && (sh & MSTATUSH.MPV) !== 0 ? 1 : 0;
  h.contextChanged();
}

/** SRET (caller has checked the mode rules): from VS uses vsstatus, else sstatus + hstatus.SPV. */
export function sret(h: Hart): void {
  const c = h.csr;
  if (h.virt !== 0) {
    let s = c[SLOT.VSSTATUS] ?? 0;
    const spp = (s & MSTATUS.SPP) !== 0 ? 1 : 0;
    s = (s & ~(MSTATUS.SIE | MSTATUS.SPP)) | ((s & MSTATUS.SPIE) !== 0 ? MSTATUS.SIE : 0) | MSTATUS.SPIE;
    c[SLOT.VSSTATUS] = s;
    h.pc = c[SLOT.VSEPC] ?? 0;
    h.priv = spp;
  } else {
    let s = c[SLOT.MSTATUS] ?? 0;
    const spp = (s & MSTATUS.SPP) !== 0 ? 1 : 0;
    s =
      (s & ~(MSTATUS.SIE | MSTATUS.SPP | MSTATUS.MPRV)) |
      ((s & MSTATUS.SPIE) !== 0 ? MSTATUS.SIE : 0) |
      MSTATUS.SPIE;
    c[SLOT.MSTATUS] = s;
    const hs = c[SLOT.HSTATUS] ?? 0;
    c[SLOT.HSTATUS] = hs & ~HSTATUS.SPV;
    h.pc = c[SLOT.SEPC] ?? 0;
    h.priv = spp;
    h.virt = (hs & HSTATUS.SPV) !== 0 ? 1 : 0;
  }
  h.contextChanged();
}
