// Sv32x4 (G-stage) formats, priv spec 1.12 sections 9.2.10 (hgatp) and 9.5.1: a 16 KiB root of
// 4096 entries indexed by GPA[33:22], 4 KiB level-0 tables indexed by GPA[21:12], Sv32 PTEs.
// G-stage leaves must have U=1 (9.5.1); the monitor's shadow leaves also carry A=D=1 so the
// hart never needs to update them. The constants (hgatp fields, PTE bits) are core/spec's.
import { HGATP, PTE, PTE_PPN_SHIFT } from '../spec/riscv-priv';

export function hgatpRoot(hgatp: number): number {
  return (hgatp & HGATP.PPN_MASK) * 4096;
}

export function makeHgatp(rootPa: number, vmid: number): number {
  return (HGATP.MODE_SV32X4 | ((vmid & HGATP.VMID_MASK) << HGATP.VMID_SHIFT) | ((rootPa / 4096) & HGATP.PPN_MASK)) >>> 0;
}

/** Physical address named by a PTE's PPN (up to 34 bits: kept as a double). */
export function ptePa(pte: number): number {
  return (pte >>> PTE_PPN_SHIFT) * 4096;
}

export function isLeaf(pte: number): boolean {
  return (pte & (PTE.R | PTE.X)) !== 0;
}

/** A PTE the spec reserves (W without R) or a G-stage leaf without U is not a usable mapping. */
export function isUsableGLeaf(pte: number): boolean {
  if ((pte & PTE.V) === 0) return false;
  if ((pte & PTE.W) !== 0 && (pte & PTE.R) === 0) return false;
  return (pte & PTE.U) !== 0;
}

export const rootIndex = (gpa: number): number => Math.floor(gpa / 0x40_0000) & 0xfff;
export const leafIndex = (gpa: number): number => Math.floor(gpa / 4096) & 0x3ff;
