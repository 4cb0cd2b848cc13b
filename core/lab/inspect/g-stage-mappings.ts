// Every mapping of a G-stage (Sv32x4, priv 1.12 section 9.5.1) table, one entry per 4 KiB guest
// page, read straight from RAM: the inspectors list the VMM's table next to the monitor's shadow
// and colour frames by the domain the VMM gave them. Superpage leaves expand to their 1024 pages.
import { hgatpRoot, isLeaf, ptePa } from '../../cloudvisor/gstage-format';
import { GSTAGE_LEAF_ENTRIES, GSTAGE_ROOT_ENTRIES, HGATP, PTE } from '../../spec/riscv-priv';
import type { PhysicalMemoryPort } from '../../cloudvisor/physical-memory-port';

const PAGE = 4096;
const SUPERPAGE = 0x40_0000;

export interface GStageMapping {
  readonly gpa: number;
  readonly pa: number;
  readonly pte: number;
}

export const vmidOfHgatp = (hgatp: number): number => (hgatp >>> HGATP.VMID_SHIFT) & HGATP.VMID_MASK;

function inRam(memory: PhysicalMemoryPort, pa: number, length: number): boolean {
  return pa >= memory.ramBase && pa + length <= memory.ramBase + memory.ramSize;
}

/** The table's valid leaves in GPA order; tables outside RAM are skipped (nothing can be read there). */
export function gStageMappings(memory: PhysicalMemoryPort, hgatp: number): GStageMapping[] {
  const root = hgatpRoot(hgatp);
  const out: GStageMapping[] = [];
  if (!inRam(memory, root, GSTAGE_ROOT_ENTRIES * 4)) return out;
  for (let ri = 0; ri < GSTAGE_ROOT_ENTRIES; ri++) {
    const top = memory.read32(root + ri * 4) >>> 0;
    if ((top & PTE.V) === 0) continue;
    if (isLeaf(top)) {
      for (let li = 0; li < GSTAGE_LEAF_ENTRIES; li++) out.push({ gpa: ri * SUPERPAGE + li * PAGE, pa: ptePa(top) + li * PAGE, pte: top });
      continue;
    }
    const table = ptePa(top);
    if (!inRam(memory, table, PAGE)) continue;
    const bytes = memory.readBytes(table, PAGE);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let li = 0; li < GSTAGE_LEAF_ENTRIES; li++) {
      const pte = view.getUint32(li * 4, true);
      if ((pte & PTE.V) !== 0 && isLeaf(pte)) out.push({ gpa: ri * SUPERPAGE + li * PAGE, pa: ptePa(pte), pte });
    }
  }
  return out;
}

/** "VRWXUGAD" with '-' for clear bits, as page-table dumps print them. */
export function pteFlags(pte: number): string {
  const names = ['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D'];
  return names.map((n, i) => ((pte >>> i) & 1 ? n : '-')).join('');
}
