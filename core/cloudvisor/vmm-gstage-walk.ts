// Reads the G-stage table the VMM built, the way the hart would walk it (priv 1.12 section
// 9.5.1, Sv32x4), but as the monitor: it also reports every table frame it touched, so the
// caller can insist they are the VMM's own (a table inside a VM's or the monitor's memory
// would let the VMM turn their bytes into mappings).
import { PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';
import { hgatpRoot, isLeaf, isUsableGLeaf, leafIndex, ptePa, rootIndex } from './gstage-format';
import { PTE } from '../spec/riscv-priv';

export type VmmWalk =
  | { readonly kind: 'mapped'; readonly pa: number; readonly pte: number; readonly tables: readonly number[] }
  | { readonly kind: 'unmapped'; readonly tables: readonly number[] }
  | { readonly kind: 'table-outside-ram'; readonly tablePa: number };

function inRam(memory: PhysicalMemoryPort, pa: number, length: number): boolean {
  return pa >= memory.ramBase && pa + length <= memory.ramBase + memory.ramSize;
}

/** Walks the VMM's table rooted at `hgatp` for `gpa`; a superpage leaf yields the 4 KiB frame inside it. */
export function walkVmmGStage(memory: PhysicalMemoryPort, hgatp: number, gpa: number): VmmWalk {
  const root = hgatpRoot(hgatp);
  if (!inRam(memory, root, 4 * PAGE_SIZE)) return { kind: 'table-outside-ram', tablePa: root };
  const rootEntryPa = root + rootIndex(gpa) * 4;
  const tables = [Math.floor(rootEntryPa / PAGE_SIZE)];
  const top = memory.read32(rootEntryPa) >>> 0;
  if ((top & PTE.V) === 0) return { kind: 'unmapped', tables };
  if (isLeaf(top)) {
    // A 4 MiB superpage: its PPN[0] must be zero (misaligned superpage faults, 4.3.2 step 6).
    if (!isUsableGLeaf(top) || ((top >>> PTE_PPN0_SHIFT) & 0x3ff) !== 0) return { kind: 'unmapped', tables };
    const pa = ptePa(top) + (gpa % 0x40_0000) - (gpa % PAGE_SIZE);
    return { kind: 'mapped', pa, pte: top, tables };
  }
  if ((top & (PTE.U | PTE.A | PTE.D)) !== 0) return { kind: 'unmapped', tables }; // non-leaf must have them clear
  const table = ptePa(top);
  if (!inRam(memory, table, PAGE_SIZE)) return { kind: 'table-outside-ram', tablePa: table };
  tables.push(table / PAGE_SIZE);
  const leaf = memory.read32(table + leafIndex(gpa) * 4) >>> 0;
  if (!isUsableGLeaf(leaf) || !isLeaf(leaf)) return { kind: 'unmapped', tables };
  return { kind: 'mapped', pa: ptePa(leaf), pte: leaf, tables };
}

const PTE_PPN0_SHIFT = 10;
