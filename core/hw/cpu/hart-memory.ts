// The hart's memory slow paths: instruction fetch pages, data translation with PMP and TLB
// refill, misaligned accesses (performed as QEMU does, both pages checked before any byte moves),
// transformed instructions for guest-page faults, and LR/SC/AMOs (unprivileged spec ch. 8).
// Called from the interpreter only on TLB misses, MMIO, misalignment and atomics.
import type { Hart } from './hart';
import { accessFaultCause, pmpBit, translate } from './mmu';
import { ACCESS } from './riscv-bits';
import { CAUSE } from '../../spec/riscv-priv';

/** Whether PMP page permissions (-1: the page is split between entries) allow `bit` page-wide. */
function pageAllows(perms: number, bit: number): boolean {
  return perms >= 0 && (perms & bit) !== 0;
}

/**
 * Locate the page holding `pc` for execution: its RAM page index (with fOff set, fetch TLB
 * refilled), -1 when it is not cacheable RAM (fInsn holds the fetched word), or -2 after
 * recording a fetch fault.
 */
export function fetchPage(h: Hart, pc: number): number {
  const vpn = pc >>> 12;
  const ti = vpn & 255;
  if (h.xTag[ti] === (vpn | h.fctx)) {
    h.fOff = h.xOff[ti]!;
    return (((pc & -4096) + h.fOff) | 0) >>> 12;
  }
  const pa = translate(h, pc, ACCESS.FETCH, h.priv, h.virt, false);
  if (pa < 0) return -2;
  if (pa >= 0x1_0000_0000 || !h.pmp.check(pa, 4, 4, h.priv)) {
    h.raise(CAUSE.INSTRUCTION_ACCESS_FAULT, pc);
    h.excGva = h.virt;
    return -2;
  }
  const ramPage = h.bus.ramPage(Math.floor(pa / 4096));
  if (ramPage >= 0 && pageAllows(h.pmp.pagePerms(pa - (pa % 4096), h.priv), 4)) {
    const off = ((ramPage << 12) - (pc & -4096)) | 0;
    h.xTag[ti] = vpn | h.fctx;
    h.xOff[ti] = off;
    h.fOff = off;
    return ramPage;
  }
  const insn = h.bus.load(pa, 4);
  if (h.bus.busError) {
    h.raise(CAUSE.INSTRUCTION_ACCESS_FAULT, pc);
    h.excGva = h.virt;
    return -2;
  }
  h.fInsn = insn | 0;
  return -1;
}

/** The instruction word at `pc` in the current mode (debugger and traces), or 0 after a fault. */
export function fetchSlow(h: Hart, pc: number): number {
  const page = fetchPage(h, pc);
  if (page >= 0) return h.m32[(pc + h.fOff) >> 2]!;
  return page === -1 ? h.fInsn : 0;
}

/**
 * Physical address for a data access of `size` bytes at `va` (already known not to cross a
 * page), with translation, PMP and, when `fill`, a TLB refill. -1 after recording a fault.
 */
export function dataPa(
  h: Hart,
  va: number,
  size: number,
  acc: number,
  priv: number,
  virt: number,
  hlvx: boolean,
  fill: boolean,
): number {
  const pa = translate(h, va, acc, priv, virt, hlvx);
  if (pa < 0) return -1;
  if (pa >= 0x1_0000_0000 || !h.pmp.check(pa, size, pmpBit(acc), priv)) {
    h.raise(accessFaultCause(acc), va);
    h.excGva = virt;
    return -1;
  }
  if (fill) {
    const ramPage = h.bus.ramPage(Math.floor(pa / 4096));
    if (ramPage >= 0 && pageAllows(h.pmp.pagePerms(pa - (pa % 4096), priv), pmpBit(acc))) {
      const vpn = va >>> 12;
      const ti = vpn & 255;
      const off = ((ramPage << 12) - (va & -4096)) | 0;
      if (acc === ACCESS.LOAD) {
        h.rTag[ti] = vpn | h.dctx;
        h.rOff[ti] = off;
      } else if (h.ram.codePages[ramPage] === 0) {
        h.wTag[ti] = vpn | h.dctx;
        h.wOff[ti] = off;
      }
    }
  }
  return pa;
}

/**
 * A load of 1 << (f3 & 3) bytes; misaligned loads are performed (as QEMU does), each page
 * translated before any byte is read; a fault on the second page reports that page's base.
 */
export function loadSlow(h: Hart, va: number, f3: number, insn: number): number {
  if (f3 === 3 || f3 > 5) {
    h.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
    return 0;
  }
  return loadAs(h, va, f3, h.dPriv, h.dVirt, false, insn, true);
}

/** Load with an explicit effective mode (also used by HLV/HLVX). */
export function loadAs(
  h: Hart,
  va: number,
  f3: number,
  priv: number,
  virt: number,
  hlvx: boolean,
  insn: number,
  fill: boolean,
): number {
  const size = 1 << (f3 & 3);
  const signed = f3 < 4;
  let value: number;
  if ((va & (size - 1)) === 0) {
    const pa = dataPa(h, va, size, ACCESS.LOAD, priv, virt, hlvx, fill);
    if (pa < 0) return guestFault(h, va, insn);
    value = h.bus.load(pa, size as 1 | 2 | 4);
    if (h.bus.busError) {
      h.raise(CAUSE.LOAD_ACCESS_FAULT, va);
      h.excGva = virt;
      return 0;
    }
  } else {
    value = misaligned(h, va, size, ACCESS.LOAD, priv, virt, hlvx, insn, 0);
    if (h.excCause >= 0) return 0;
  }
  if (size === 4) return value | 0;
  if (signed) return size === 1 ? (value << 24) >> 24 : (value << 16) >> 16;
  return value;
}

export function storeSlow(h: Hart, va: number, f3: number, value: number, insn: number): void {
  if (f3 > 2) {
    h.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
    return;
  }
  storeAs(h, va, f3, value, h.dPriv, h.dVirt, insn, true);
}

export function storeAs(
  h: Hart,
  va: number,
  f3: number,
  value: number,
  priv: number,
  virt: number,
  insn: number,
  fill: boolean,
): void {
  const size = 1 << f3;
  if ((va & (size - 1)) === 0) {
    const pa = dataPa(h, va, size, ACCESS.STORE, priv, virt, false, fill);
    if (pa < 0) {
      guestFault(h, va, insn);
      return;
    }
    if (!h.bus.store(pa, size as 1 | 2 | 4, value)) {
      h.raise(CAUSE.STORE_AMO_ACCESS_FAULT, va);
      h.excGva = virt;
    }
    return;
  }
  misaligned(h, va, size, ACCESS.STORE, priv, virt, false, insn, value);
}

/** Byte-wise misaligned access, both pages translated (and checked) before any byte moves. */
function misaligned(
  h: Hart,
  va: number,
  size: number,
  acc: number,
  priv: number,
  virt: number,
  hlvx: boolean,
  insn: number,
  value: number,
): number {
  const firstLen = Math.min(size, 4096 - (va & 0xfff));
  const pa0 = dataPa(h, va, firstLen, acc, priv, virt, hlvx, false);
  if (pa0 < 0) return guestFault(h, va, insn);
  let pa1 = 0;
  if (firstLen < size) {
    const va1 = (va + firstLen) | 0;
    pa1 = dataPa(h, va1, size - firstLen, acc, priv, virt, hlvx, false);
    if (pa1 < 0) return guestFault(h, va, insn);
  }
  let result = 0;
  for (let i = 0; i < size; i++) {
    const pa = i < firstLen ? pa0 + i : pa1 + (i - firstLen);
    if (acc === ACCESS.LOAD) {
      const b = h.bus.load(pa, 1);
      if (h.bus.busError) {
        h.raise(CAUSE.LOAD_ACCESS_FAULT, va);
        h.excGva = virt;
        return 0;
      }
      result |= b << (8 * i);
    } else if (!h.bus.store(pa, 1, (value >>> (8 * i)) & 0xff)) {
      h.raise(CAUSE.STORE_AMO_ACCESS_FAULT, va);
      h.excGva = virt;
      return 0;
    }
  }
  return result >>> 0;
}

/**
 * Complete a guest-page fault from an explicit access: htinst/mtinst get the transformed
 * instruction (priv 1.12 section 8.6.3: immediate/offset fields zero, rs1 field = faulting
 * address minus the original address), unless the walk already stored a pseudo-instruction.
 */
function guestFault(h: Hart, va: number, insn: number): number {
  const cause = h.excCause;
  if ((cause === 21 || cause === 23) && h.excTinst === 0 && insn !== 0) {
    const offset = ((h.excTval - va) & 31) << 15;
    const op = insn & 0x7f;
    if (op === 0x03) h.excTinst = (insn & 0x7fff) | offset;
    else if (op === 0x23) h.excTinst = (insn & 0x01f0_707f) | offset;
    else h.excTinst = (insn & ~(31 << 15)) | offset;
  }
  return 0;
}

/** LR.W, SC.W and the AMOs (unprivileged spec chapter 8; misaligned AMO/SC -> cause 6, LR -> 4). */
export function amo(h: Hart, insn: number): void {
  const f5 = insn >>> 27;
  const rd = (insn >>> 7) & 31;
  const va = h.x[(insn >>> 15) & 31]!;
  const src = h.x[(insn >>> 20) & 31]!;
  if ((insn & 0x7000) !== 0x2000 || (f5 === 2 && ((insn >>> 20) & 31) !== 0)) {
    h.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
    return;
  }
  if (f5 === 2) {
    if ((va & 3) !== 0) {
      h.raise(CAUSE.LOAD_ADDRESS_MISALIGNED, va);
      h.excGva = h.dVirt;
      return;
    }
    const v = loadAs(h, va, 2, h.dPriv, h.dVirt, false, insn, true);
    if (h.excCause >= 0) return;
    h.resValid = true;
    h.resAddr = va;
    if (rd !== 0) h.x[rd] = v;
    return;
  }
  if (
    f5 !== 3 &&
    f5 !== 0 &&
    f5 !== 1 &&
    f5 !== 4 &&
    f5 !== 8 &&
    f5 !== 12 &&
    f5 !== 16 &&
    f5 !== 20 &&
    f5 !== 24 &&
    f5 !== 28
  ) {
    h.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
    return;
  }
  if ((va & 3) !== 0) {
    h.raise(CAUSE.STORE_AMO_ADDRESS_MISALIGNED, va);
    h.excGva = h.dVirt;
    return;
  }
  if (f5 === 3) {
    const ok = h.resValid && h.resAddr === va;
    h.resValid = false;
    if (ok) {
      storeAs(h, va, 2, src, h.dPriv, h.dVirt, insn, true);
      if (h.excCause >= 0) return;
    }
    if (rd !== 0) h.x[rd] = ok ? 0 : 1;
    return;
  }
  const pa = dataPa(h, va, 4, ACCESS.STORE, h.dPriv, h.dVirt, false, false);
  if (pa < 0) {
    guestFault(h, va, insn);
    return;
  }
  if (!h.pmp.check(pa, 4, 1, h.dPriv)) {
    h.raise(CAUSE.STORE_AMO_ACCESS_FAULT, va);
    h.excGva = h.dVirt;
    return;
  }
  const old = h.bus.load(pa, 4) | 0;
  if (h.bus.busError) {
    h.raise(CAUSE.STORE_AMO_ACCESS_FAULT, va);
    h.excGva = h.dVirt;
    return;
  }
  let v: number;
  switch (f5) {
    case 1:
      v = src;
      break;
    case 0:
      v = (old + src) | 0;
      break;
    case 4:
      v = old ^ src;
      break;
    case 12:
      v = old & src;
      break;
    case 8:
      v = old | src;
      break;
    case 16:
      v = old < src ? old : src;
      break;
    case 20:
      v = old > src ? old : src;
      break;
    case 24:
      v = old >>> 0 < src >>> 0 ? old : src;
      break;
    default:
      v = old >>> 0 > src >>> 0 ? old : src;
      break;
  }
  h.bus.store(pa, 4, v);
  if (rd !== 0) h.x[rd] = old;
}
