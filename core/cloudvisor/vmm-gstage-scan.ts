// Late launch of one VM (CLOUDVISOR.md section 2): the GPAs the VMM's G-stage table maps at the
// VM's first entry, found by scanning its Sv32x4 root and leaf tables. The monitor then shadows
// each of them before the guest runs, without zeroing (the VMM loaded the image there).
// Reads through the monitor's own port; tables outside RAM are skipped (sync refuses them).
import { hgatpRoot, isLeaf, ptePa } from './gstage-format';
import { GSTAGE_LEAF_ENTRIES, GSTAGE_ROOT_ENTRIES, PTE } from '../spec/riscv-priv';
import { PAGE_SIZE, type PhysicalMemoryPort } from './physical-memory-port';

const SUPERPAGE = 0x40_0000;

/** Every GPA (page aligned) with a valid entry in the VMM's table at `hgatp`, in order. */
export function scanVmmGStage(memory: PhysicalMemoryPort, hgatp: number): number[] {
  const root = hgatpRoot(hgatp);
  const gpas: number[] = [];
  if (!inRam(memory, root, GSTAGE_ROOT_ENTRIES * 4)) return gpas;
  const entries = memory.readBytes(root, GSTAGE_ROOT_ENTRIES * 4);
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  for (let ri = 0; ri < GSTAGE_ROOT_ENTRIES; ri++) {
    const top = view.getUint32(ri * 4, true);
    if ((top & PTE.V) === 0) continue;
    if (isLeaf(top)) {
      for (let li = 0; li < GSTAGE_LEAF_ENTRIES; li++) gpas.push(ri * SUPERPAGE + li * PAGE_SIZE);
      continue;
    }
    const table = ptePa(top);
    if (!inRam(memory, table, PAGE_SIZE)) continue;
    scanLeaf(memory.readBytes(table, PAGE_SIZE), ri * SUPERPAGE, gpas);
  }
  return gpas;
}

function scanLeaf(bytes: Uint8Array, base: number, out: number[]): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let li = 0; li < GSTAGE_LEAF_ENTRIES; li++) {
    if ((view.getUint32(li * 4, true) & PTE.V) !== 0) out.push(base + li * PAGE_SIZE);
  }
}

function inRam(memory: PhysicalMemoryPort, pa: number, length: number): boolean {
  return pa >= memory.ramBase && pa + length <= memory.ramBase + memory.ramSize;
}
