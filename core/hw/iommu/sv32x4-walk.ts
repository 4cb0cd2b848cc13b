// The G-stage (Sv32x4) page-table walk the IOMMU performs for device DMA: 16 KiB root,
// two levels, 4-byte PTEs with V/R/W/X/U/A/D. Pure function of memory: no caching (no IOTLB),
// so the page tables in RAM are always the truth. The hart has its own walker in core/hw/cpu;
// this one exists because none was exported yet, and the two should be merged later.
// Implements RISC-V Privileged ISA 1.12 section 8.5.1 (Sv32x4, "Guest physical address
// translation") and section 4.3.2 (the walk), as the RISC-V IOMMU spec 1.0 section 2.3 prescribes.

export const SV32X4 = {
  PTE_V: 1 << 0,
  PTE_R: 1 << 1,
  PTE_W: 1 << 2,
  PTE_X: 1 << 3,
  PTE_U: 1 << 4,
  PTE_G: 1 << 5,
  PTE_A: 1 << 6,
  PTE_D: 1 << 7,
  PAGE_SIZE: 4096,
  /** The root table is four pages: VPN[1] is GPA[33:22], 12 bits (priv 1.12 sec. 8.5.1). */
  ROOT_SIZE: 16 * 1024,
  LEVELS: 2,
} as const;

/** Physical memory as the walker sees it; `inRam` tells whether a PTE address may be read. */
export interface PageTableMemory {
  read32(pa: number): number;
  write32(pa: number, value: number): void;
  inRam(pa: number, length: number): boolean;
}

export type WalkAccess = 'read' | 'write';

export type WalkResult =
  | { readonly ok: true; readonly pa: number }
  | {
      readonly ok: false;
      readonly fault: 'guest-page-fault' | 'access-fault';
      readonly denied: boolean;
      readonly reason: string;
    };

function pageFault(reason: string, denied = false): WalkResult {
  return { ok: false, fault: 'guest-page-fault', denied, reason };
}

/**
 * Translates `gpa` under the root at physical address `root` (16 KiB aligned).
 * With `updateAD` (IOMMU DC.tc.GADE = 1) the walk sets A, and D on writes, in the leaf;
 * without it, A = 0, or D = 0 on a write, is a guest-page fault (IOMMU spec 1.0, "GADE").
 */
export function walkSv32x4(
  mem: PageTableMemory,
  root: number,
  gpa: number,
  access: WalkAccess,
  updateAD: boolean,
): WalkResult {
  if (root % SV32X4.ROOT_SIZE !== 0)
    return {
      ok: false,
      fault: 'guest-page-fault',
      denied: false,
      reason: 'root table is not 16 KiB aligned',
    };
  let table = root;
  let vpn = Math.floor(gpa / 2 ** 22);
  for (let level = SV32X4.LEVELS - 1; level >= 0; level--) {
    const pteAddr = table + vpn * 4;
    if (!mem.inRam(pteAddr, 4))
      return {
        ok: false,
        fault: 'access-fault',
        denied: false,
        reason: `PTE at 0x${pteAddr.toString(16)} is outside RAM`,
      };
    const pte = mem.read32(pteAddr) >>> 0;
    if ((pte & SV32X4.PTE_V) === 0) return pageFault(`level-${level} PTE is not valid`);
    if ((pte & SV32X4.PTE_R) === 0 && (pte & SV32X4.PTE_W) !== 0)
      return pageFault(`level-${level} PTE has W without R (reserved)`);
    const ppn = pte >>> 10;
    if ((pte & (SV32X4.PTE_R | SV32X4.PTE_X)) === 0) {
      if (level === 0) return pageFault('pointer PTE at the last level');
      table = ppn * SV32X4.PAGE_SIZE;
      vpn = (gpa >>> 12) & 0x3ff;
      continue;
    }
    return leaf(mem, pteAddr, pte, level, gpa, access, updateAD);
  }
  return pageFault('walk did not reach a leaf');
}

function leaf(
  mem: PageTableMemory,
  pteAddr: number,
  pte: number,
  level: number,
  gpa: number,
  access: WalkAccess,
  updateAD: boolean,
): WalkResult {
  // Priv 1.12 sec. 8.5.1: G-stage leaves are treated as U-mode accesses, so U must be set.
  if ((pte & SV32X4.PTE_U) === 0)
    return pageFault('leaf PTE has U = 0 (G-stage leaves must be user pages)', true);
  if (access === 'read' && (pte & SV32X4.PTE_R) === 0)
    return pageFault('leaf PTE does not allow reads', true);
  if (access === 'write' && (pte & SV32X4.PTE_W) === 0)
    return pageFault('leaf PTE does not allow writes', true);
  const ppn = pte >>> 10;
  if (level === 1 && (ppn & 0x3ff) !== 0) return pageFault('misaligned superpage (PPN[0] != 0)');
  const needD = access === 'write' && (pte & SV32X4.PTE_D) === 0;
  if ((pte & SV32X4.PTE_A) === 0 || needD) {
    if (!updateAD) return pageFault(needD ? 'D = 0 on a write and GADE = 0' : 'A = 0 and GADE = 0');
    mem.write32(pteAddr, (pte | SV32X4.PTE_A | (access === 'write' ? SV32X4.PTE_D : 0)) >>> 0);
  }
  const offsetBits = level === 1 ? 22 : 12;
  const base = level === 1 ? (ppn >>> 10) * 2 ** 22 : ppn * SV32X4.PAGE_SIZE;
  return { ok: true, pa: base + (gpa % 2 ** offsetBits) };
}
