// CSR semantics of the hart: which addresses exist, who may access them (illegal vs virtual
// instruction, counter gating, TVM/VTVM, Sstc gating), and each register's WARL behaviour
// (priv spec 1.12 chapters 2, 3, 4, 8; Sstc 1.0). readCsr/writeCsr apply no privilege rule,
// so the debugger uses them directly; accessCheck decides traps for CSR instructions.

// WARL choices: misa read-only; hpm counters/events hardwired 0; mtvec/stvec/vstvec writes with
// MODE >= 2 are ignored (as QEMU 7.2); xepc[1:0] read 0 (IALIGN=32); MPP=2 writes keep the old MPP;
// mstatus.VS is writable with no vector unit and SD reports VS=Dirty (optional in priv 1.12 3.1.6.6, as QEMU 7.2).
import type { Hart } from './hart';
import { CSR } from './csr-numbers';
import { SLOT } from './csr-slots';
import { CAUSE, COUNTER, ENVCFG, HSTATUS, MIP, MSTATUS, MSTATUSH } from '../../spec/riscv-priv';

const MISA_VALUE = (1 << 30) | (1 << 0) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
const MSTATUS_WRITABLE =
  MSTATUS.SIE |
  MSTATUS.MIE |
  MSTATUS.SPIE |
  MSTATUS.MPIE |
  MSTATUS.SPP |
  MSTATUS.VS |
  MSTATUS.MPP |
  MSTATUS.MPRV |
  MSTATUS.SUM |
  MSTATUS.MXR |
  MSTATUS.TVM |
  MSTATUS.TW |
  MSTATUS.TSR;
const SSTATUS_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.VS | MSTATUS.SUM | MSTATUS.MXR;

/** SD summarises a Dirty VS (FS and XS are always Off here). */
function withSd(status: number): number {
  return (status & MSTATUS.VS) === MSTATUS.VS ? status | MSTATUS.SD : status;
}
const HSTATUS_WRITABLE =
  HSTATUS.GVA | HSTATUS.SPV | HSTATUS.SPVP | HSTATUS.HU | HSTATUS.VTVM | HSTATUS.VTW | HSTATUS.VTSR;
const MEDELEG_WRITABLE = 0xf0b7ff;
const HEDELEG_WRITABLE = 0xb1ff;
const S_INTERRUPTS = MIP.SSIP | MIP.STIP | MIP.SEIP;
const VS_INTERRUPTS = MIP.VSSIP | MIP.VSTIP | MIP.VSEIP;
/** With H, mideleg bits of VS and SGEI interrupts are read-only one (priv 1.12 section 8.4.2). */
const MIDELEG_FORCED = VS_INTERRUPTS | MIP.SGEIP;
const MIE_WRITABLE = 0x1eee;
const HIE_MASK = VS_INTERRUPTS | MIP.SGEIP;
const HGATP_WRITABLE = (1 << 31) | (0x7f << 22) | 0x3ffffc;

/** S-level CSRs that VS-mode reaches as their VS counterparts (address + 0x100). */
const VS_REDIRECT = new Set<number>([
  CSR.SSTATUS,
  CSR.SIE,
  CSR.STVEC,
  CSR.SSCRATCH,
  CSR.SEPC,
  CSR.SCAUSE,
  CSR.STVAL,
  CSR.SIP,
  CSR.SATP,
  CSR.STIMECMP,
  CSR.STIMECMPH,
]);

const PLAIN_SLOTS: ReadonlyMap<number, number> = new Map<number, number>([
  [CSR.MSCRATCH, SLOT.MSCRATCH],
  [CSR.MCAUSE, SLOT.MCAUSE],
  [CSR.MTVAL, SLOT.MTVAL],
  [CSR.MTINST, SLOT.MTINST],
  [CSR.MTVAL2, SLOT.MTVAL2],
  [CSR.MCOUNTEREN, SLOT.MCOUNTEREN],
  [CSR.SCOUNTEREN, SLOT.SCOUNTEREN],
  [CSR.SSCRATCH, SLOT.SSCRATCH],
  [CSR.SCAUSE, SLOT.SCAUSE],
  [CSR.STVAL, SLOT.STVAL],
  [CSR.HCOUNTEREN, SLOT.HCOUNTEREN],
  [CSR.HTVAL, SLOT.HTVAL],
  [CSR.HTINST, SLOT.HTINST],
  [CSR.HTIMEDELTA, SLOT.HTIMEDELTA],
  [CSR.HTIMEDELTAH, SLOT.HTIMEDELTAH],
  [CSR.VSSCRATCH, SLOT.VSSCRATCH],
  [CSR.VSCAUSE, SLOT.VSCAUSE],
  [CSR.VSTVAL, SLOT.VSTVAL],
  [CSR.STIMECMP, SLOT.STIMECMP],
  [CSR.STIMECMPH, SLOT.STIMECMPH],
  [CSR.VSTIMECMP, SLOT.VSTIMECMP],
  [CSR.VSTIMECMPH, SLOT.VSTIMECMPH],
]);

const ZERO_CSRS = new Set<number>([
  CSR.MVENDORID,
  CSR.MARCHID,
  CSR.MIMPID,
  CSR.MCONFIGPTR,
  CSR.HGEIP,
  CSR.HGEIE,
]);

function inRange(csr: number, lo: number, hi: number): boolean {
  return csr >= lo && csr <= hi;
}

/** Whether the hart implements CSR address `csr`. */
export function csrExists(csr: number): boolean {
  if (PLAIN_SLOTS.has(csr) || ZERO_CSRS.has(csr)) return true;
  if (inRange(csr, CSR.CYCLE, CSR.HPMCOUNTER31) || inRange(csr, CSR.CYCLEH, CSR.HPMCOUNTER31H)) return true;
  if (inRange(csr, CSR.MCYCLE, CSR.MHPMCOUNTER31) || inRange(csr, CSR.MCYCLEH, CSR.MHPMCOUNTER31H))
    return csr !== 0xb01 && csr !== 0xb81;
  if (
    inRange(csr, CSR.MHPMEVENT3, CSR.MHPMEVENT31) ||
    inRange(csr, CSR.PMPCFG0, CSR.PMPCFG3) ||
    inRange(csr, CSR.PMPADDR0, CSR.PMPADDR15)
  )
    return true;
  switch (csr) {
    case CSR.SSTATUS:
    case CSR.SIE:
    case CSR.STVEC:
    case CSR.SENVCFG:
    case CSR.SEPC:
    case CSR.SIP:
    case CSR.SATP:
    case CSR.HSTATUS:
    case CSR.HEDELEG:
    case CSR.HIDELEG:
    case CSR.HIE:
    case CSR.HENVCFG:
    case CSR.HENVCFGH:
    case CSR.HIP:
    case CSR.HVIP:
    case CSR.HGATP:
    case CSR.VSSTATUS:
    case CSR.VSIE:
    case CSR.VSTVEC:
    case CSR.VSEPC:
    case CSR.VSIP:
    case CSR.VSATP:
    case CSR.MHARTID:
    case CSR.MSTATUS:
    case CSR.MISA:
    case CSR.MEDELEG:
    case CSR.MIDELEG:
    case CSR.MIE:
    case CSR.MTVEC:
    case CSR.MENVCFG:
    case CSR.MSTATUSH:
    case CSR.MENVCFGH:
    case CSR.MCOUNTINHIBIT:
    case CSR.MEPC:
    case CSR.MIP:
      return true;
    default:
      return false;
  }
}

/**
 * The trap a CSR access raises at the hart's current mode, or -1 when allowed.
 * `write` is whether the instruction writes the CSR (csrrw always; csrrs/c only when rs1 != x0).
 */
export function accessCheck(h: Hart, csr: number, write: boolean): number {
  const ILLEGAL = CAUSE.ILLEGAL_INSTRUCTION;
  const VIRTUAL = CAUSE.VIRTUAL_INSTRUCTION;
  if (!csrExists(csr)) return ILLEGAL;
  if (write && csr >>> 10 === 3) return ILLEGAL;
  const level = (csr >>> 8) & 3;
  const priv = h.priv;
  const virt = h.virt !== 0;
  const c = h.csr;
  if (level === 3) return priv === 3 ? -1 : ILLEGAL;
  if (level === 2) {
    if (virt) return VIRTUAL;
    if (priv === 0) return ILLEGAL;
    if (priv === 1 && csr === CSR.HGATP && ((c[SLOT.MSTATUS] ?? 0) & MSTATUS.TVM) !== 0) return ILLEGAL;
    if (csr === CSR.VSTIMECMP || csr === CSR.VSTIMECMPH) return timecmpGate(h, false);
    return -1;
  }
  if (level === 1) {
    if (priv === 0) return virt ? VIRTUAL : ILLEGAL;
    if (csr === CSR.SATP && priv === 1) {
      if (!virt && ((c[SLOT.MSTATUS] ?? 0) & MSTATUS.TVM) !== 0) return ILLEGAL;
      if (virt && ((c[SLOT.HSTATUS] ?? 0) & HSTATUS.VTVM) !== 0) return VIRTUAL;
    }
    if (csr === CSR.STIMECMP || csr === CSR.STIMECMPH) return timecmpGate(h, virt);
    return -1;
  }
  return counterGate(h, csr);
}

/** Sstc: stimecmp/vstimecmp need mcounteren.TM and menvcfg.STCE below M; with V=1 also hcounteren.TM and henvcfg.STCE. */
function timecmpGate(h: Hart, virt: boolean): number {
  if (h.priv === 3) return -1;
  const c = h.csr;
  if (((c[SLOT.MCOUNTEREN] ?? 0) & COUNTER.TM) === 0 || ((c[SLOT.MENVCFGH] ?? 0) & ENVCFG.STCE_H) === 0)
    return CAUSE.ILLEGAL_INSTRUCTION;
  if (
    virt &&
    (((c[SLOT.HCOUNTEREN] ?? 0) & COUNTER.TM) === 0 || ((c[SLOT.HENVCFGH] ?? 0) & ENVCFG.STCE_H) === 0)
  )
    return CAUSE.VIRTUAL_INSTRUCTION;
  return -1;
}

/** Counter gating for cycle/time/instret/hpmcounterN(h) (priv 1.12 sections 3.1.11, 8.2.7). */
function counterGate(h: Hart, csr: number): number {
  if (h.priv === 3) return -1;
  const c = h.csr;
  const bit = 1 << (csr & 31);
  if (((c[SLOT.MCOUNTEREN] ?? 0) & bit) === 0) return CAUSE.ILLEGAL_INSTRUCTION;
  const sOk = h.priv === 1 || ((c[SLOT.SCOUNTEREN] ?? 0) & bit) !== 0;
  if (h.virt !== 0) {
    if (((c[SLOT.HCOUNTEREN] ?? 0) & bit) === 0 || !sOk) return CAUSE.VIRTUAL_INSTRUCTION;
    return -1;
  }
  return sOk ? -1 : CAUSE.ILLEGAL_INSTRUCTION;
}

/** The CSR a CSR instruction actually reaches: VS-mode's S-level accesses go to the vs* registers. */
export function redirect(h: Hart, csr: number): number {
  return h.virt !== 0 && VS_REDIRECT.has(csr) ? csr + 0x100 : csr;
}

function tvecWrite(c: Int32Array, slot: number, value: number): void {
  if ((value & 3) < 2) c[slot] = value;
}

function mipRead(h: Hart): number {
  return h.mip();
}

/** Read CSR `csr` with no privilege check (the caller has checked existence). */
export function readCsr(h: Hart, csr: number): number {
  const c = h.csr;
  const plain = PLAIN_SLOTS.get(csr);
  if (plain !== undefined) return c[plain] ?? 0;
  if (ZERO_CSRS.has(csr)) return 0;
  const mideleg = (c[SLOT.MIDELEG] ?? 0) | MIDELEG_FORCED;
  const hideleg = c[SLOT.HIDELEG] ?? 0;
  switch (csr) {
    case CSR.MSTATUS:
      return withSd(c[SLOT.MSTATUS] ?? 0);
    case CSR.MSTATUSH:
      return c[SLOT.MSTATUSH] ?? 0;
    case CSR.MISA:
      return MISA_VALUE;
    case CSR.MEDELEG:
      return c[SLOT.MEDELEG] ?? 0;
    case CSR.MIDELEG:
      return mideleg;
    case CSR.MIE:
      return c[SLOT.MIE] ?? 0;
    case CSR.MIP:
      return mipRead(h);
    case CSR.MTVEC:
      return c[SLOT.MTVEC] ?? 0;
    case CSR.MEPC:
      return c[SLOT.MEPC] ?? 0;
    case CSR.MHARTID:
      return h.id;
    case CSR.MENVCFG:
      return c[SLOT.MENVCFG] ?? 0;
    case CSR.MENVCFGH:
      return c[SLOT.MENVCFGH] ?? 0;
    case CSR.MCOUNTINHIBIT:
      return c[SLOT.MCOUNTINHIBIT] ?? 0;
    case CSR.SSTATUS:
      return withSd((c[SLOT.MSTATUS] ?? 0) & SSTATUS_MASK);
    case CSR.SIE:
      return (c[SLOT.MIE] ?? 0) & mideleg & S_INTERRUPTS;
    case CSR.SIP:
      return mipRead(h) & mideleg & S_INTERRUPTS;
    case CSR.STVEC:
      return c[SLOT.STVEC] ?? 0;
    case CSR.SEPC:
      return c[SLOT.SEPC] ?? 0;
    case CSR.SENVCFG:
      return c[SLOT.SENVCFG] ?? 0;
    case CSR.SATP:
      return c[SLOT.SATP] ?? 0;
    case CSR.HSTATUS:
      return c[SLOT.HSTATUS] ?? 0;
    case CSR.HEDELEG:
      return c[SLOT.HEDELEG] ?? 0;
    case CSR.HIDELEG:
      return hideleg;
    case CSR.HIE:
      return (c[SLOT.MIE] ?? 0) & HIE_MASK;
    case CSR.HIP:
      return mipRead(h) & HIE_MASK;
    case CSR.HVIP:
      return c[SLOT.HVIP] ?? 0;
    case CSR.HGATP:
      return c[SLOT.HGATP] ?? 0;
    case CSR.HENVCFG:
      return c[SLOT.HENVCFG] ?? 0;
    case CSR.HENVCFGH:
      return (c[SLOT.HENVCFGH] ?? 0) & (c[SLOT.MENVCFGH] ?? 0) & ENVCFG.STCE_H;
    case CSR.VSSTATUS:
      return withSd((c[SLOT.VSSTATUS] ?? 0) & SSTATUS_MASK);
    case CSR.VSIE:
      return ((c[SLOT.MIE] ?? 0) & hideleg & VS_INTERRUPTS) >>> 1;
    case CSR.VSIP:
      return (mipRead(h) & hideleg & VS_INTERRUPTS) >>> 1;
    case CSR.VSTVEC:
      return c[SLOT.VSTVEC] ?? 0;
    case CSR.VSEPC:
      return c[SLOT.VSEPC] ?? 0;
    case CSR.VSATP:
      return c[SLOT.VSATP] ?? 0;
    case CSR.TIME:
      return (h.timeValue(true) % 0x1_0000_0000) | 0;
    case CSR.TIMEH:
      return Math.floor(h.timeValue(true) / 0x1_0000_0000) | 0;
    default:
      break;
  }
  if (inRange(csr, CSR.PMPCFG0, CSR.PMPCFG3)) return h.pmp.readCfg(csr - CSR.PMPCFG0);
  if (inRange(csr, CSR.PMPADDR0, CSR.PMPADDR15)) return h.pmp.readAddr(csr - CSR.PMPADDR0);
  const low = csr & 0x7f;
  const high = (csr & 0x80) !== 0;
  if ((csr & 0xf00) === 0xc00 || (csr & 0xf00) === 0xb00) {
    let v = 0;
    if (low === 0) v = h.counterValue(false);
    else if (low === 2) v = h.counterValue(true);
    return high ? Math.floor(v / 0x1_0000_0000) | 0 : (v % 0x1_0000_0000) | 0;
  }
  return 0;
}

/** Write CSR `csr` with its WARL rules and no privilege check (read-only CSRs ignore writes). */
export function writeCsr(h: Hart, csr: number, value: number): void {
  const c = h.csr;
  const plain = PLAIN_SLOTS.get(csr);
  if (plain !== undefined) {
    c[plain] = value;
    return;
  }
  const mideleg = (c[SLOT.MIDELEG] ?? 0) | MIDELEG_FORCED;
  const hideleg = c[SLOT.HIDELEG] ?? 0;
  switch (csr) {
    case CSR.MSTATUS: {
      const old = c[SLOT.MSTATUS] ?? 0;
      let v = (old & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE);
      if (((v >>> MSTATUS.MPP_SHIFT) & 3) === 2) v = (v & ~MSTATUS.MPP) | (old & MSTATUS.MPP);
      c[SLOT.MSTATUS] = v;
      h.contextChanged();
      return;
    }
    case CSR.MSTATUSH:
      c[SLOT.MSTATUSH] = value & (MSTATUSH.MPV | MSTATUSH.GVA);
      h.contextChanged();
      return;
    case CSR.MEDELEG:
      c[SLOT.MEDELEG] = value & MEDELEG_WRITABLE;
      return;
    case CSR.MIDELEG:
      c[SLOT.MIDELEG] = value & S_INTERRUPTS;
      return;
    case CSR.MIE:
      c[SLOT.MIE] = value & MIE_WRITABLE;
      return;
    case CSR.MIP: {
      const sstc = ((c[SLOT.MENVCFGH] ?? 0) & ENVCFG.STCE_H) !== 0;
      const mask = MIP.SSIP | MIP.SEIP | (sstc ? 0 : MIP.STIP);
      c[SLOT.MIP_SW] = ((c[SLOT.MIP_SW] ?? 0) & ~mask) | (value & mask);
      c[SLOT.HVIP] = ((c[SLOT.HVIP] ?? 0) & ~MIP.VSSIP) | (value & MIP.VSSIP);
      return;
    }
    case CSR.MTVEC:
      tvecWrite(c, SLOT.MTVEC, value);
      return;
    case CSR.MEPC:
      c[SLOT.MEPC] = value & ~3;
      return;
    case CSR.MENVCFG:
      c[SLOT.MENVCFG] = value & ENVCFG.FIOM;
      return;
    case CSR.MENVCFGH:
      c[SLOT.MENVCFGH] = value & ENVCFG.STCE_H;
      return;
    case CSR.MCOUNTINHIBIT:
      h.setCountInhibit(value & (COUNTER.CY | COUNTER.IR));
      return;
    case CSR.SSTATUS:
      c[SLOT.MSTATUS] = ((c[SLOT.MSTATUS] ?? 0) & ~SSTATUS_MASK) | (value & SSTATUS_MASK);
      h.contextChanged();
      return;
    case CSR.SIE: {
      const mask = mideleg & S_INTERRUPTS;
      c[SLOT.MIE] = ((c[SLOT.MIE] ?? 0) & ~mask) | (value & mask);
      return;
    }
    case CSR.SIP: {
      const mask = mideleg & MIP.SSIP;
      c[SLOT.MIP_SW] = ((c[SLOT.MIP_SW] ?? 0) & ~mask) | (value & mask);
      return;
    }
    case CSR.STVEC:
      tvecWrite(c, SLOT.STVEC, value);
      return;
    case CSR.SEPC:
      c[SLOT.SEPC] = value & ~3;
      return;
    case CSR.SENVCFG:
      c[SLOT.SENVCFG] = value & ENVCFG.FIOM;
      return;
    case CSR.SATP:
      c[SLOT.SATP] = value;
      h.contextChanged();
      return;
    case CSR.HSTATUS:
      c[SLOT.HSTATUS] = value & HSTATUS_WRITABLE;
      return;
    case CSR.HEDELEG:
      c[SLOT.HEDELEG] = value & HEDELEG_WRITABLE;
      return;
    case CSR.HIDELEG:
      c[SLOT.HIDELEG] = value & VS_INTERRUPTS;
      return;
    case CSR.HIE:
      c[SLOT.MIE] = ((c[SLOT.MIE] ?? 0) & ~HIE_MASK) | (value & HIE_MASK & MIE_WRITABLE);
      return;
    case CSR.HIP:
      c[SLOT.HVIP] = ((c[SLOT.HVIP] ?? 0) & ~MIP.VSSIP) | (value & MIP.VSSIP);
      return;
    case CSR.HVIP:
      c[SLOT.HVIP] = value & VS_INTERRUPTS;
      return;
    case CSR.HGATP:
      c[SLOT.HGATP] = value & HGATP_WRITABLE;
      h.contextChanged();
      return;
    case CSR.HENVCFG:
      c[SLOT.HENVCFG] = value & ENVCFG.FIOM;
      return;
    case CSR.HENVCFGH:
      c[SLOT.HENVCFGH] = value & ENVCFG.STCE_H;
      return;
    case CSR.VSSTATUS:
      c[SLOT.VSSTATUS] = ((c[SLOT.VSSTATUS] ?? 0) & ~SSTATUS_MASK) | (value & SSTATUS_MASK);
      h.contextChanged();
      return;
    case CSR.VSIE: {
      const mask = hideleg & VS_INTERRUPTS;
      c[SLOT.MIE] = ((c[SLOT.MIE] ?? 0) & ~mask) | ((value << 1) & mask);
      return;
    }
    case CSR.VSIP: {
      const mask = hideleg & MIP.VSSIP;
      c[SLOT.HVIP] = ((c[SLOT.HVIP] ?? 0) & ~mask) | ((value << 1) & mask);
      return;
    }
    case CSR.VSTVEC:
      tvecWrite(c, SLOT.VSTVEC, value);
      return;
    case CSR.VSEPC:
      c[SLOT.VSEPC] = value & ~3;
      return;
    case CSR.VSATP:
      c[SLOT.VSATP] = value;
      h.contextChanged();
      return;
    default:
      break;
  }
  if (inRange(csr, CSR.PMPCFG0, CSR.PMPCFG3)) {
    h.pmp.writeCfg(csr - CSR.PMPCFG0, value);
    h.flushTlb();
    return;
  }
  if (inRange(csr, CSR.PMPADDR0, CSR.PMPADDR15)) {
    h.pmp.writeAddr(csr - CSR.PMPADDR0, value);
    h.flushTlb();
    return;
  }
  if (csr === CSR.MCYCLE || csr === CSR.MCYCLEH || csr === CSR.MINSTRET || csr === CSR.MINSTRETH) {
    h.writeCounter((csr & 0x7f) === 2, (csr & 0x80) !== 0, value);
  }
}
