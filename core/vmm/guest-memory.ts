// A domain's RAM: the VMM's physical-to-machine index (p2m, one entry per guest page), the
// G-stage table that gives it to the hart, and the few guest-memory accesses a VMM really makes
// (loading the image before launch, device emulation of virtqueues, SBI DBCN buffers).
// Invariants: p2m[i] != 0 exactly when guest page i is mapped in the G-stage table; every
// frame is zeroed before the guest can see it and again before it returns to the pool (scrub).
import type { Hyp } from '../sandbox/hyp';
import type { FrameAllocator } from './frame-allocator';
import { GStageTable, zeroFrames } from './g-stage';
import { PAGE_SIZE } from '../spec/riscv-priv';

export class GuestMemory {
  readonly pages: number;
  private readonly p2m: Float64Array;
  readonly table: GStageTable;
  private populated = 0;

  constructor(
    private readonly hyp: Hyp,
    private readonly frames: FrameAllocator,
    readonly base: number,
    readonly size: number,
    vmid: number,
  ) {
    this.pages = size / PAGE_SIZE;
    this.p2m = new Float64Array(this.pages);
    this.table = new GStageTable(hyp.mem, frames, vmid);
  }

  get populatedPages(): number {
    return this.populated;
  }

  contains(gpa: number, len = 1): boolean {
    return gpa >= this.base && gpa + len <= this.base + this.size;
  }

  /** Machine address behind a guest address, or 0 if that page is not populated. */
  machineAddress(gpa: number): number {
    const index = Math.floor((gpa - this.base) / PAGE_SIZE);
    const frame = this.p2m[index] ?? 0;
    return frame === 0 ? 0 : frame + (gpa % PAGE_SIZE);
  }

  /** Backs every page now, in contiguous runs, with one table write per 4 MiB (eager mode). */
  populateAll(): void {
    const missing: number[] = [];
    for (let i = 0; i < this.pages; i++) if (this.p2m[i] === 0) missing.push(i);
    if (missing.length === 0) return;
    const runs = this.frames.allocateRuns(missing.length);
    if (runs === null) throw new Error(`out of memory: ${missing.length} frames needed, ${this.frames.freeFrames} free`);
    let k = 0;
    for (const run of runs) {
      this.frames.prepare(run.pa, run.frames, (pa, n) => zeroFrames(this.hyp.mem, pa, n));
      for (let j = 0; j < run.frames; j++) this.p2m[missing[k++] ?? 0] = run.pa + j * PAGE_SIZE;
    }
    this.populated += missing.length;
    // Consecutive missing pages form a range the table builder writes in bulk.
    let start = 0;
    while (start < missing.length) {
      let end = start + 1;
      while (end < missing.length && missing[end] === (missing[end - 1] ?? 0) + 1) end++;
      const first = missing[start] ?? 0;
      this.table.mapBulk(this.base + first * PAGE_SIZE, end - start, (p) => this.p2m[first + p] ?? 0);
      start = end;
    }
    this.hyp.fence.gvma(this.table.vmid);
  }

  /** Backs one page on a guest-page fault (lazy mode); false if `gpa` is not RAM. */
  populate(gpa: number): boolean {
    if (!this.contains(gpa)) return false;
    const index = Math.floor((gpa - this.base) / PAGE_SIZE);
    if (this.p2m[index] !== 0) {
      // Already mapped: a stale translation on this hart; fencing is the whole fix.
      this.hyp.fence.gvma(this.table.vmid, gpa - (gpa % PAGE_SIZE));
      return true;
    }
    const frame = this.frames.allocate(1);
    if (frame === null) throw new Error(`out of memory populating GPA 0x${gpa.toString(16)}`);
    this.frames.prepare(frame, 1, (pa, n) => zeroFrames(this.hyp.mem, pa, n));
    this.p2m[index] = frame;
    this.populated++;
    const pageGpa = gpa - (gpa % PAGE_SIZE);
    this.table.map(pageGpa, frame);
    this.hyp.fence.gvma(this.table.vmid, pageGpa);
    return true;
  }

  read(gpa: number, len: number): Uint8Array {
    this.check(gpa, len);
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const g = gpa + done;
      const n = Math.min(len - done, PAGE_SIZE - (g % PAGE_SIZE));
      const ma = this.machineAddress(g);
      // An unpopulated page reads as the zeroes it will hold once populated.
      if (ma !== 0) out.set(this.hyp.mem.read(ma, n), done);
      done += n;
    }
    return out;
  }

  write(gpa: number, bytes: Uint8Array): void {
    this.check(gpa, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const g = gpa + done;
      const n = Math.min(bytes.length - done, PAGE_SIZE - (g % PAGE_SIZE));
      if (this.machineAddress(g) === 0) this.populate(g);
      this.hyp.mem.write(this.machineAddress(g), bytes.subarray(done, done + n));
      done += n;
    }
  }

  read32(gpa: number): number {
    if (gpa % 4 !== 0) return readLe(this.read(gpa, 4), 0, 4);
    this.check(gpa, 4);
    const ma = this.machineAddress(gpa);
    return ma === 0 ? 0 : this.hyp.mem.read32(ma) >>> 0;
  }

  read16(gpa: number): number {
    return readLe(this.read(gpa, 2), 0, 2);
  }

  write16(gpa: number, value: number): void {
    this.write(gpa, new Uint8Array([value & 0xff, (value >>> 8) & 0xff]));
  }

  write32(gpa: number, value: number): void {
    if (gpa % 4 !== 0 || this.machineAddress(gpa) === 0) {
      this.write(gpa, new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]));
      return;
    }
    this.check(gpa, 4);
    this.hyp.mem.write32(this.machineAddress(gpa), value >>> 0);
  }

  /** Pages in guest order with their frames (for save). */
  forEachPopulated(fn: (gpa: number, pa: number) => void): void {
    for (let i = 0; i < this.pages; i++) {
      const f = this.p2m[i] ?? 0;
      if (f !== 0) fn(this.base + i * PAGE_SIZE, f);
    }
  }

  /** Scrubs and frees every frame and the G-stage tables; the domain must not run again. */
  release(): void {
    let i = 0;
    while (i < this.pages) {
      const f = this.p2m[i] ?? 0;
      if (f === 0) {
        i++;
        continue;
      }
      let n = 1;
      while (i + n < this.pages && this.p2m[i + n] === f + n * PAGE_SIZE) n++;
      zeroFrames(this.hyp.mem, f, n * PAGE_SIZE);
      this.frames.release(f, n, true);
      this.p2m.fill(0, i, i + n);
      i += n;
    }
    this.populated = 0;
    this.table.destroy();
    this.hyp.fence.gvma(this.table.vmid);
  }

  private check(gpa: number, len: number): void {
    if (!this.contains(gpa, len)) throw new Error(`guest access 0x${gpa.toString(16)}+${len} is outside guest RAM`);
  }
}

export function readLe(bytes: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + (bytes[at + i] ?? 0);
  return v;
}
