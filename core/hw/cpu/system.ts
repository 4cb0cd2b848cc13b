// The SYSTEM opcode: CSR instructions, ECALL/EBREAK, MRET/SRET/WFI, SFENCE.VMA, HFENCE.*,
// HLV/HLVX/HSV (priv spec 1.12 sections 2.8, 3.3, 8.3, 8.4.x; virtual-instruction cases from
// section 8.6.1). Runs outside the interpreter block with h.pc at the instruction; on success
// advances or redirects pc, on failure records the exception in the hart.

// Rules chosen where QEMU 7.2 departs from the spec (spec wins): VU-mode SRET/SFENCE/S-CSR
// accesses and VS-mode satp with VTVM raise virtual instruction; WFI with mstatus.TW=1 is illegal
// in every mode below M; HLV/HSV faults report the access's own cause and set GVA.
import type { Hart } from './hart';
import { accessCheck, readCsr, redirect, writeCsr } from './csr-file';
import { SLOT } from './csr-slots';
import { CSR } from './csr-numbers';
import { CAUSE, HSTATUS, MIP, MSTATUS } from '../../spec/riscv-priv';
import { loadAs, storeAs } from './hart-memory';
import { mret, sret } from './trap';

const TIMER_CSRS = new Set<number>([
  CSR.STIMECMP,
  CSR.STIMECMPH,
  CSR.VSTIMECMP,
  CSR.VSTIMECMPH,
  CSR.MENVCFGH,
  CSR.HENVCFGH,
  CSR.HTIMEDELTA,
  CSR.HTIMEDELTAH,
]);

function illegal(h: Hart, insn: number): void {
  h.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
}

function virtualInsn(h: Hart, insn: number): void {
  h.raise(CAUSE.VIRTUAL_INSTRUCTION, insn);
}

function next(h: Hart): void {
  h.pc = (h.pc + 4) | 0;
}

export function execSystem(h: Hart, insn: number): void {
  const f3 = (insn >>> 12) & 7;
  if (f3 === 0) privileged(h, insn);
  else if (f3 === 4) hypervisorLoadStore(h, insn);
  else csrInstruction(h, insn, f3);
}

function csrInstruction(h: Hart, insn: number, f3: number): void {
  const csr = insn >>> 20;
  const rd = (insn >>> 7) & 31;
  const rs1 = (insn >>> 15) & 31;
  const operand = f3 >= 5 ? rs1 : (h.x[rs1] ?? 0);
  const op = f3 & 3;
  const writes = op === 1 || rs1 !== 0;
  const reads = op !== 1 || rd !== 0;
  const cause = accessCheck(h, csr, writes);
  if (cause >= 0) {
    h.raise(cause, insn);
    return;
  }
  const target = redirect(h, csr);
  const old = reads || op !== 1 ? readCsr(h, target) : 0;
  if (writes) {
    // priv 1.12 section 3.1.9: a read-modify-write of mip uses the software SEIP bit, not the
    // value ORed with the external interrupt line.
    const base = target === CSR.MIP ? (old & ~MIP.SEIP) | ((h.csr[SLOT.MIP_SW] ?? 0) & MIP.SEIP) : old;
    const value = op === 1 ? operand : op === 2 ? base | operand : base & ~operand;
    writeCsr(h, target, value);
    // A new timer comparison ends the run so the board re-plans when to look at time again.
    if (TIMER_CSRS.has(target)) h.stop = true;
  }
  if (rd !== 0) h.x[rd] = old;
  next(h);
}

function privileged(h: Hart, insn: number): void {
  const c = h.csr;
  const priv = h.priv;
  const virt = h.virt !== 0;
  const mstatus = c[SLOT.MSTATUS] ?? 0;
  const hstatus = c[SLOT.HSTATUS] ?? 0;
  switch (insn) {
    case 0x0000_0073: // ECALL
      h.raise(
        priv === 3
          ? CAUSE.ECALL_FROM_M
          : priv === 1
            ? virt
              ? CAUSE.ECALL_FROM_VS
              : CAUSE.ECALL_FROM_HS
            : CAUSE.ECALL_FROM_U,
        0,
      );
      return;
    case 0x0010_0073: // EBREAK (QEMU 7.2 and the spec allow tval 0)
      h.raise(CAUSE.BREAKPOINT, 0);
      return;
    case 0x3020_0073: // MRET
      if (priv !== 3) return illegal(h, insn);
      mret(h);
      return;
    case 0x1020_0073: // SRET
      if (priv === 0) return virt ? virtualInsn(h, insn) : illegal(h, insn);
      if (priv === 1 && !virt && (mstatus & MSTATUS.TSR) !== 0) return illegal(h, insn);
      if (virt && (hstatus & HSTATUS.VTSR) !== 0) return virtualInsn(h, insn);
      sret(h);
      return;
    case 0x1050_0073: // WFI
      if (priv !== 3) {
        if ((mstatus & MSTATUS.TW) !== 0) return illegal(h, insn);
        if (priv === 0 && !virt) return illegal(h, insn);
        if (virt && (priv === 0 || (hstatus & HSTATUS.VTW) !== 0)) return virtualInsn(h, insn);
      }
      next(h);
      h.waiting = true;
      return;
    default:
      break;
  }
  if ((insn & 0x0000_7f80) !== 0) return illegal(h, insn);
  const f7 = insn >>> 25;
  if (f7 === 0x09) {
    // SFENCE.VMA: with V=1 it fences VS-stage translations (ours are flushed together).
    if (priv === 0) return virt ? virtualInsn(h, insn) : illegal(h, insn);
    if (priv === 1 && !virt && (mstatus & MSTATUS.TVM) !== 0) return illegal(h, insn);
    if (virt && (hstatus & HSTATUS.VTVM) !== 0) return virtualInsn(h, insn);
    fence(h);
    next(h);
    return;
  }
  if (f7 === 0x11 || f7 === 0x31) {
    // HFENCE.VVMA / HFENCE.GVMA
    if (virt) return virtualInsn(h, insn);
    if (priv === 0) return illegal(h, insn);
    if (f7 === 0x31 && priv === 1 && (mstatus & MSTATUS.TVM) !== 0) return illegal(h, insn);
    fence(h);
    next(h);
    return;
  }
  illegal(h, insn);
}

function fence(h: Hart): void {
  // The TLB caches 4 KiB pieces of superpages, so an address-specific fence could leave other
  // pieces of the same (changed) leaf behind: every SFENCE/HFENCE flushes everything instead,
  // which the spec allows (a fence may always do more).
  h.flushTlb();
}

/** HLV.B/BU/H/HU/W, HLVX.HU/WU, HSV.B/H/W (priv 1.12 section 8.3.2). */
function hypervisorLoadStore(h: Hart, insn: number): void {
  const f7 = insn >>> 25;
  const rs2 = (insn >>> 20) & 31;
  const rd = (insn >>> 7) & 31;
  let f3 = -1;
  let store = false;
  let hlvx = false;
  if (f7 === 0x30 && (rs2 === 0 || rs2 === 1)) f3 = rs2 === 0 ? 0 : 4;
  else if (f7 === 0x32 && (rs2 === 0 || rs2 === 1 || rs2 === 3)) {
    f3 = rs2 === 0 ? 1 : 5;
    hlvx = rs2 === 3;
  } else if (f7 === 0x34 && (rs2 === 0 || rs2 === 3)) {
    f3 = 2;
    hlvx = rs2 === 3;
  } else if ((f7 === 0x31 || f7 === 0x33 || f7 === 0x35) && rd === 0) {
    f3 = (f7 - 0x31) >>> 1;
    store = true;
  }
  if (f3 < 0) return illegal(h, insn);
  if (h.virt !== 0) return virtualInsn(h, insn);
  const hstatus = h.csr[SLOT.HSTATUS] ?? 0;
  if (h.priv === 0 && (hstatus & HSTATUS.HU) === 0) return illegal(h, insn);
  const priv = (hstatus & HSTATUS.SPVP) !== 0 ? 1 : 0;
  const va = h.x[(insn >>> 15) & 31] ?? 0;
  // HLVX.WU zero-extends like an unsigned load; on RV32 a word is the whole register.
  if (store) storeAs(h, va, f3, h.x[rs2] ?? 0, priv, 1, insn, false);
  else {
    const v = loadAs(h, va, f3, priv, 1, hlvx, insn, false);
    if (h.excCause < 0 && rd !== 0) h.x[rd] = v;
  }
  if (h.excCause >= 0) {
    // These accesses always translate a guest virtual address.
    h.excGva = 1;
    return;
  }
  next(h);
}
