// The frame allocator over the RAM the VMM owns: one byte per 4 KiB frame (0 free, 1 used),
// contiguous first-fit runs with alignment, and a free that refuses double frees and foreign frames.
// Invariants: every frame handed out lies inside the pool and is marked used until freed;
// `freeFrames` always equals the number of zero bytes in the map; a free frame marked clean
// holds only zeroes (callers scrub before they release), so it is handed out without a second wipe.
// Like Xen's heap allocator, it knows nothing about who uses a frame; domains record their own.
import { PAGE_SIZE } from '../spec/riscv-priv';

export interface FrameRun {
  /** Physical address of the first frame. */
  readonly pa: number;
  readonly frames: number;
}

export class FrameAllocator {
  private readonly used: Uint8Array;
  /** Per frame: 1 when its content is unknown (in use, or never wiped), 0 when known to be zero. */
  private readonly dirty: Uint8Array;
  private readonly total: number;
  private free = 0;
  private hint = 0;

  /**
   * A pool of frames [base, base + size); both must be page-aligned. `knownZero`: the RAM is
   * fresh from power-on (the host says so), so no frame needs a wipe before its first use.
   */
  constructor(readonly base: number, readonly size: number, knownZero = false) {
    if (base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0) {
      throw new Error(`frame pool 0x${base.toString(16)}+0x${size.toString(16)} is not page-aligned and non-empty`);
    }
    this.total = size / PAGE_SIZE;
    this.used = new Uint8Array(this.total);
    this.dirty = new Uint8Array(this.total).fill(knownZero ? 0 : 1);
    this.free = this.total;
  }

  get freeFrames(): number {
    return this.free;
  }

  get totalFrames(): number {
    return this.total;
  }

  /** `frames` contiguous frames whose first PA is a multiple of `align` bytes, or null. */
  allocate(frames: number, align = PAGE_SIZE): number | null {
    if (!Number.isInteger(frames) || frames <= 0) throw new Error(`cannot allocate ${frames} frames`);
    if (frames > this.free) return null;
    const step = Math.max(1, align / PAGE_SIZE);
    const start = this.scan(this.hint, this.total, frames, step) ?? this.scan(0, this.hint, frames, step);
    if (start === null) return null;
    this.used.fill(1, start, start + frames);
    this.free -= frames;
    this.hint = start + frames;
    if (this.hint >= this.total) this.hint = 0;
    return this.base + start * PAGE_SIZE;
  }

  /** `frames` frames in as few contiguous runs as the pool allows (all or nothing). */
  allocateRuns(frames: number): FrameRun[] | null {
    if (frames > this.free) return null;
    const runs: FrameRun[] = [];
    let left = frames;
    let i = 0;
    while (left > 0 && i < this.total) {
      if (this.used[i] !== 0) {
        i++;
        continue;
      }
      let end = i;
      while (end < this.total && end - i < left && this.used[end] === 0) end++;
      this.used.fill(1, i, end);
      runs.push({ pa: this.base + i * PAGE_SIZE, frames: end - i });
      left -= end - i;
      i = end;
    }
    this.free -= frames - left;
    if (left > 0) {
      for (const r of runs) this.release(r.pa, r.frames);
      return null;
    }
    return runs;
  }

  /**
   * Zeroes (through `zero`) the parts of freshly allocated frames that may hold old data, then
   * marks them in use. Called once per allocation, before the frames are handed to a guest or table.
   */
  prepare(pa: number, frames: number, zero: (pa: number, bytes: number) => void): void {
    const first = this.index(pa, frames);
    let i = first;
    while (i < first + frames) {
      if (this.dirty[i] === 0) {
        i++;
        continue;
      }
      let end = i + 1;
      while (end < first + frames && this.dirty[end] === 1) end++;
      zero(this.base + i * PAGE_SIZE, (end - i) * PAGE_SIZE);
      i = end;
    }
    this.dirty.fill(1, first, first + frames);
  }

  /**
   * Returns frames to the pool; `scrubbed` says the caller zeroed them. Freeing a frame that is
   * not allocated is a VMM bug and throws.
   */
  release(pa: number, frames = 1, scrubbed = false): void {
    const first = this.index(pa, frames);
    for (let i = first; i < first + frames; i++) {
      if (this.used[i] !== 1) throw new Error(`double free of frame 0x${(this.base + i * PAGE_SIZE).toString(16)}`);
    }
    this.used.fill(0, first, first + frames);
    this.dirty.fill(scrubbed ? 0 : 1, first, first + frames);
    this.free += frames;
  }

  private index(pa: number, frames: number): number {
    const first = (pa - this.base) / PAGE_SIZE;
    if (!Number.isInteger(first) || first < 0 || first + frames > this.total) {
      throw new Error(`frame 0x${pa.toString(16)} (+${frames}) is not in the VMM's pool`);
    }
    return first;
  }

  isAllocated(pa: number): boolean {
    const i = Math.floor((pa - this.base) / PAGE_SIZE);
    return i >= 0 && i < this.total && this.used[i] === 1;
  }

  /** First i in [from, to) with frames i..i+frames-1 free and base + i*4K aligned to step frames. */
  private scan(from: number, to: number, frames: number, step: number): number | null {
    const phase = ((this.base / PAGE_SIZE) % step + step) % step;
    const alignUp = (n: number): number => n + ((step - ((n + phase) % step)) % step);
    let i = alignUp(from);
    while (i < to && i + frames <= this.total) {
      let j = 0;
      while (j < frames && this.used[i + j] === 0) j++;
      if (j === frames) return i;
      i = alignUp(i + j + 1);
    }
    return null;
  }
}
