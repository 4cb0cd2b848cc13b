// G-stage (Sv32x4) translation with no hart, for the IOMMU and the monitor: walks the 16 KiB
// root table and its leaves in physical memory (priv spec 1.12 section 8.5.1). Same rules as
// the hart's G-stage: leaves need U=1, superpages need PPN[0]=0, A (and D for writes) are set
// by hardware as QEMU 7.2 does. A PTE read outside RAM is an access fault.

export interface GStageMemory {
  read32(pa: number): number;
  write32(pa: number, value: number): void;
}

export type GStageAccess = 'read' | 'write' | 'execute';

export type GStageResult =
  { readonly pa: number } | { readonly fault: 'guest-page-fault' | 'access-fault'; readonly gpa: number };

const V = 1;
const R = 2;
const W = 4;
const X = 8;
const U = 16;
const A = 64;
const D = 128;

/**
 * Translate guest physical address `gpa` (0 <= gpa < 2^34) through the Sv32x4 table rooted at
 * physical page `rootPpn` (hgatp.PPN, 16 KiB aligned). Returns the host physical address or
 * the fault a hart would raise for that access.
 */
export function translateGStage(
  mem: GStageMemory,
  rootPpn: number,
  gpa: number,
  access: GStageAccess,
): GStageResult {
  if (!Number.isInteger(gpa) || gpa < 0 || gpa >= 2 ** 34)
    throw new RangeError(`guest physical address ${gpa} is outside Sv32x4's 34 bits`);
  if (!Number.isInteger(rootPpn) || rootPpn < 0 || rootPpn >= 2 ** 22 || rootPpn % 4 !== 0)
    throw new RangeError(`root PPN ${rootPpn} must be a 16 KiB-aligned 22-bit page number`);
  const gppn = Math.floor(gpa / 4096);
  const offset = gpa % 4096;
  const vpn1 = Math.floor(gppn / 1024);
  const vpn0 = gppn % 1024;
  let table = rootPpn;
  for (let level = 1; level >= 0; level--) {
    const ptePa = table * 4096 + (level === 1 ? vpn1 : vpn0) * 4;
    let pte: number;
    try {
      pte = mem.read32(ptePa) >>> 0;
    } catch {
      return { fault: 'access-fault', gpa };
    }
    if ((pte & V) === 0 || ((pte & R) === 0 && (pte & W) !== 0)) break;
    if ((pte & (R | X)) === 0) {
      table = pte >>> 10;
      continue;
    }
    const allowed = access === 'read' ? R : access === 'write' ? W : X;
    if ((pte & U) === 0 || (pte & allowed) === 0) break;
    if (level === 1 && ((pte >>> 10) & 0x3ff) !== 0) break;
    const need = A | (access === 'write' ? D : 0);
    if ((pte & need) !== need) mem.write32(ptePa, (pte | need) >>> 0);
    const ppn = level === 1 ? (pte >>> 20) * 1024 + vpn0 : pte >>> 10;
    return { pa: ppn * 4096 + offset };
  }
  return { fault: 'guest-page-fault', gpa };
}
