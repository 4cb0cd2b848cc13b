// Address translation for the hart: Sv32 (single stage), and with V=1 the two-stage walk
// VS-stage Sv32 then G-stage Sv32x4 (priv spec 1.12 sections 4.3, 8.5). Implicit VS-stage
// page-table reads are themselves G-stage translated; a fault there is a guest-page fault of
// the original access type with the RV32 pseudo-instruction in htinst (table 8.12).

// A/D bits are set by hardware on the walk, as QEMU 7.2 does (both stages); PTEs live in RAM
// only: a PTE anywhere else, or one PMP denies, is an access fault (spec; QEMU 7.2 gives a
// page fault for unassigned PTE addresses). Results: a physical address >= 0 or -1 with the
// hart's exc* fields set. Nothing here allocates.
import type { Hart } from './hart';
import { SLOT } from './csr-slots';
import { ACCESS } from './riscv-bits';
import { MSTATUS, PSEUDO_INSN, PTE } from '../../spec/riscv-priv';

const PAGE_FAULT = [12, 13, 15] as const;
const GUEST_PAGE_FAULT = [20, 21, 23] as const;
const ACCESS_FAULT = [1, 5, 7] as const;
const PMP_BIT = [4, 1, 2] as const;

function fault(h: Hart, cause: number, va: number, gva: number): -1 {
  h.excCause = cause;
  h.excTval = va;
  h.excTval2 = 0;
  h.excTinst = 0;
  h.excGva = gva;
  return -1;
}

/** Read a PTE at physical ppn*4096+off, or -1 after raising an access fault of `orig`'s kind. */
function readPte(h: Hart, ppn: number, off: number, orig: number, va: number, gva: number): number {
  const ram = h.ram;
  const pa = ppn * 4096 + off;
  if (pa < ram.base || pa + 4 > ram.base + ram.size || !h.pmp.check(pa, 4, 1, 1)) {
    fault(h, ACCESS_FAULT[orig] ?? 5, va, gva);
    return -1;
  }
  h.ptePa = pa;
  return ram.i32[(pa - ram.base) >>> 2] ?? 0;
}

/** Write back a PTE whose A/D bits changed (h.ptePa from the preceding readPte). */
function writePte(h: Hart, pa: number, pte: number, orig: number, va: number, gva: number): boolean {
  const ram = h.ram;
  if (!h.pmp.check(pa, 4, 2, 1)) {
    fault(h, ACCESS_FAULT[orig] ?? 7, va, gva);
    return false;
  }
  const a = pa - ram.base;
  ram.i32[a >>> 2] = pte;
  if (ram.codePages[a >>> 12] !== 0) h.bus.codeWritten(a, 4);
  return true;
}

/**
 * G-stage (Sv32x4) translation of guest physical page `gppn` (22 bits) for access `acc`.
 * `orig` is the access kind reported in a fault; `pseudo` is htinst for implicit accesses.
 * Returns the host physical page number or -1.
 */
export function gStage(
  h: Hart,
  gppn: number,
  off: number,
  acc: number,
  hlvx: boolean,
  va: number,
  orig: number,
  pseudo: number,
): number {
  const hgatp = h.csr[SLOT.HGATP] ?? 0;
  if (hgatp >= 0) return gppn;
  const mxr = ((h.csr[SLOT.MSTATUS] ?? 0) & MSTATUS.MXR) !== 0;
  let a = hgatp & 0x3ffffc;
  for (let level = 1; level >= 0; level--) {
    let ptePpn: number;
    let pteOff: number;
    if (level === 1) {
      const vpn1 = gppn >>> 10;
      ptePpn = a + (vpn1 >>> 10);
      pteOff = (vpn1 & 0x3ff) * 4;
    } else {
      ptePpn = a;
      pteOff = (gppn & 0x3ff) * 4;
    }
    const pte = readPte(h, ptePpn, pteOff, orig, va, 1);
    if (h.excCause >= 0) return -1;
    const pa = h.ptePa;
    if ((pte & PTE.V) === 0 || ((pte & PTE.R) === 0 && (pte & PTE.W) !== 0)) break;
    if ((pte & (PTE.R | PTE.X)) === 0) {
      a = pte >>> 10;
      continue;
    }
    // priv 1.12 section 8.5.2: G-stage leaves are checked as U-mode accesses, so U must be 1.
    if ((pte & PTE.U) === 0) break;
    let ok: boolean;
    if (acc === ACCESS.FETCH) ok = (pte & PTE.X) !== 0;
    else if (acc === ACCESS.LOAD)
      ok = hlvx ? (pte & PTE.X) !== 0 : (pte & PTE.R) !== 0 || (mxr && (pte & PTE.X) !== 0);
    else ok = (pte & PTE.W) !== 0;
    if (!ok) break;
    if (level === 1 && ((pte >>> 10) & 0x3ff) !== 0) break;
    const need = PTE.A | (acc === ACCESS.STORE ? PTE.D : 0);
    if ((pte & need) !== need && !writePte(h, pa, pte | need, orig, va, 1)) return -1;
    return level === 1 ? (((pte >>> 20) << 10) | (gppn & 0x3ff)) >>> 0 : pte >>> 10;
  }
  h.excCause = GUEST_PAGE_FAULT[orig] ?? 21;
  h.excTval = va;
  h.excTval2 = (gppn * 1024 + (off >>> 2)) | 0;
  h.excTinst = pseudo;
  h.excGva = 1;
  return -1;
}

/** Sv32 walk (VS-stage when virt): returns the leaf's (guest) physical page number or -1. */
function stage1(
  h: Hart,
  va: number,
  acc: number,
  priv: number,
  virt: number,
  atp: number,
  hlvx: boolean,
): number {
  const c = h.csr;
  const mstatus = c[SLOT.MSTATUS] ?? 0;
  const status = virt !== 0 ? (c[SLOT.VSSTATUS] ?? 0) : mstatus;
  const sum = (status & MSTATUS.SUM) !== 0;
  const mxr = ((mstatus | (virt !== 0 ? status : 0)) & MSTATUS.MXR) !== 0;
  let a = atp & 0x3fffff;
  for (let level = 1; level >= 0; level--) {
    const pteOff = (level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff) * 4;
    let ptePpn = a;
    if (virt !== 0) {
      ptePpn = gStage(h, a, pteOff, ACCESS.LOAD, false, va, acc, PSEUDO_INSN.PTE_READ_32);
      if (ptePpn < 0) return -1;
    }
    const pte = readPte(h, ptePpn, pteOff, acc, va, virt);
    if (h.excCause >= 0) return -1;
    const pa = h.ptePa;
    if ((pte & PTE.V) === 0 || ((pte & PTE.R) === 0 && (pte & PTE.W) !== 0)) break;
    if ((pte & (PTE.R | PTE.X)) === 0) {
      a = pte >>> 10;
      continue;
    }
    const user = (pte & PTE.U) !== 0;
    let ok: boolean;
    if (acc === ACCESS.FETCH) ok = (pte & PTE.X) !== 0 && (priv === 0 ? user : !user);
    else {
      ok = priv === 0 ? user : !user || sum;
      if (acc === ACCESS.LOAD)
        ok &&= hlvx ? (pte & PTE.X) !== 0 : (pte & PTE.R) !== 0 || (mxr && (pte & PTE.X) !== 0);
      else ok &&= (pte & PTE.W) !== 0;
    }
    if (!ok) break;
    if (level === 1 && ((pte >>> 10) & 0x3ff) !== 0) break;
    const need = PTE.A | (acc === ACCESS.STORE ? PTE.D : 0);
    if ((pte & need) !== need) {
      let wpa = pa;
      if (virt !== 0) {
        // The A/D update is an implicit store to the VS page table: G-stage checks it as a write.
        const wppn = gStage(h, a, pteOff, ACCESS.STORE, false, va, acc, PSEUDO_INSN.PTE_WRITE_32);
        if (wppn < 0) return -1;
        wpa = wppn * 4096 + pteOff;
      }
      if (!writePte(h, wpa, pte | need, acc, va, virt)) return -1;
    }
    return level === 1 ? (((pte >>> 20) << 10) | ((va >>> 12) & 0x3ff)) >>> 0 : pte >>> 10;
  }
  return fault(h, PAGE_FAULT[acc] ?? 13, va, virt);
}

/**
 * Translate `va` for an access of kind `acc` at effective privilege `priv` and virtualization
 * `virt`. Returns the physical address (may exceed 32 bits: the caller treats that as a bus
 * error) or -1 with the fault recorded in the hart.
 */
export function translate(
  h: Hart,
  va: number,
  acc: number,
  priv: number,
  virt: number,
  hlvx: boolean,
): number {
  const c = h.csr;
  const off = va & 0xfff;
  if (virt === 0) {
    const satp = c[SLOT.SATP] ?? 0;
    if (priv === 3 || satp >= 0) return va >>> 0;
    const ppn = stage1(h, va, acc, priv, 0, satp, hlvx);
    return ppn < 0 ? -1 : ppn * 4096 + off;
  }
  const vsatp = c[SLOT.VSATP] ?? 0;
  let gppn = va >>> 12;
  if (vsatp < 0) {
    gppn = stage1(h, va, acc, priv, 1, vsatp, hlvx);
    if (gppn < 0) return -1;
  }
  const ppn = gStage(h, gppn, off, acc, hlvx, va, acc, 0);
  return ppn < 0 ? -1 : ppn * 4096 + off;
}

/** PMP permission bit for an access kind (R=1, W=2, X=4). */
export function pmpBit(acc: number): number {
  return PMP_BIT[acc] ?? 1;
}

/** Access-fault cause for an access kind. */
export function accessFaultCause(acc: number): number {
  return ACCESS_FAULT[acc] ?? 5;
}
