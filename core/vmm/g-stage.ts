// A domain's G-stage (Sv32x4) translation tables, built in VMM-owned frames through hyp.mem:
// a 16 KiB root and 4 KiB leaf tables, 4 KiB leaves with U=1 (priv 1.12, 8.5.1: G-stage leaves
// are U-mode accesses), A and D preset so the hart never needs to update them.
// Invariants: every table frame came from the allocator and is zeroed before first use; the
// VMM's index of leaf tables matches what it wrote; callers fence (HFENCE.GVMA) after changes.
import type { Hyp } from '../sandbox/hyp';
import type { FrameAllocator } from './frame-allocator';
import { GSTAGE_ROOT_BYTES, GSTAGE_ROOT_ENTRIES, HGATP, PAGE_SIZE, PTE } from '../spec/riscv-priv';

export const LEAF_RWX = PTE.V | PTE.R | PTE.W | PTE.X | PTE.U | PTE.A | PTE.D;
const TWO_22 = 0x40_0000;

export class GStageTable {
  /** Leaf table PA per root index (GPA bits 33:22); 0 = none yet. */
  private readonly leafTables = new Float64Array(GSTAGE_ROOT_ENTRIES);
  readonly rootPa: number;

  constructor(private readonly mem: Hyp['mem'], private readonly frames: FrameAllocator, readonly vmid: number) {
    const root = frames.allocate(GSTAGE_ROOT_BYTES / PAGE_SIZE, GSTAGE_ROOT_BYTES);
    if (root === null) throw new Error('out of memory for a G-stage root table');
    this.rootPa = root;
    frames.prepare(root, GSTAGE_ROOT_BYTES / PAGE_SIZE, (pa, n) => zeroFrames(mem, pa, n));
  }

  /** The hgatp value that selects this table: Sv32x4 | VMID | root PPN. */
  hgatp(): number {
    return (HGATP.MODE_SV32X4 | ((this.vmid & HGATP.VMID_MASK) << HGATP.VMID_SHIFT) | (this.rootPa / PAGE_SIZE)) >>> 0;
  }

  /** Maps one 4 KiB guest page; returns true if a valid entry was replaced (a fence is mandatory). */
  map(gpa: number, pa: number, flags: number = LEAF_RWX): boolean {
    const table = this.leafFor(gpa);
    const at = table + ((gpa / PAGE_SIZE) % 1024) * 4;
    const old = this.mem.read32(at);
    this.mem.write32(at, pte(pa, flags));
    return (old & PTE.V) !== 0;
  }

  unmap(gpa: number): boolean {
    const table = this.leafTables[Math.floor(gpa / TWO_22)] ?? 0;
    if (table === 0) return false;
    const at = table + ((gpa / PAGE_SIZE) % 1024) * 4;
    const old = this.mem.read32(at);
    this.mem.write32(at, 0);
    return (old & PTE.V) !== 0;
  }

  /**
   * Maps `pages` consecutive guest pages starting at `gpa` (4 MiB-aligned chunks are written one
   * table page per call, the bulk form), page i to `paOf(i)`. Only for tables not yet populated.
   */
  mapBulk(gpa: number, pages: number, paOf: (page: number) => number, flags: number = LEAF_RWX): void {
    const page = new Uint8Array(PAGE_SIZE);
    const view = new DataView(page.buffer);
    let done = 0;
    while (done < pages) {
      const g = gpa + done * PAGE_SIZE;
      const first = (g / PAGE_SIZE) % 1024;
      const count = Math.min(1024 - first, pages - done);
      const table = this.leafFor(g);
      const existing = this.mem.read(table, PAGE_SIZE);
      page.set(existing);
      for (let i = 0; i < count; i++) view.setUint32((first + i) * 4, pte(paOf(done + i), flags), true);
      this.mem.write(table, page);
      done += count;
    }
  }

  /** Frees every table frame; the domain must no longer run with this hgatp. */
  destroy(): void {
    for (let i = 0; i < GSTAGE_ROOT_ENTRIES; i++) {
      const t = this.leafTables[i] ?? 0;
      if (t !== 0) {
        zeroFrames(this.mem, t, PAGE_SIZE);
        this.frames.release(t, 1, true);
        this.leafTables[i] = 0;
      }
    }
    zeroFrames(this.mem, this.rootPa, GSTAGE_ROOT_BYTES);
    this.frames.release(this.rootPa, GSTAGE_ROOT_BYTES / PAGE_SIZE, true);
  }

  /** Table frames in use (root included), for `xl info`. */
  tableFrames(): number {
    let n = GSTAGE_ROOT_BYTES / PAGE_SIZE;
    for (let i = 0; i < GSTAGE_ROOT_ENTRIES; i++) if ((this.leafTables[i] ?? 0) !== 0) n++;
    return n;
  }

  private leafFor(gpa: number): number {
    const index = Math.floor(gpa / TWO_22);
    if (index < 0 || index >= GSTAGE_ROOT_ENTRIES) throw new Error(`GPA 0x${gpa.toString(16)} is beyond Sv32x4's 34 bits`);
    const known = this.leafTables[index] ?? 0;
    if (known !== 0) return known;
    const table = this.frames.allocate(1);
    if (table === null) throw new Error('out of memory for a G-stage leaf table');
    this.frames.prepare(table, 1, (pa, n) => zeroFrames(this.mem, pa, n));
    // Non-leaf entries: V only; U, A and D must be 0 (priv 1.12, 4.3.1 / 8.5.1).
    this.mem.write32(this.rootPa + index * 4, pte(table, PTE.V));
    this.leafTables[index] = table;
    return table;
  }
}

/** PTE for a 34-bit PA: PPN = pa >> 12 at bits 31:10. */
export function pte(pa: number, flags: number): number {
  return ((Math.floor(pa / PAGE_SIZE) * 1024) + (flags & 0x3ff)) >>> 0;
}

const ZEROS = new Uint8Array(64 * 1024);

/** Zeroes [pa, pa + bytes) in 64 KiB writes. */
export function zeroFrames(mem: Hyp['mem'], pa: number, bytes: number): void {
  for (let off = 0; off < bytes; off += ZEROS.length) {
    const n = Math.min(ZEROS.length, bytes - off);
    mem.write(pa + off, n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n));
  }
}
